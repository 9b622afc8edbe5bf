"""Screen & Sound: the film and music site Reel & Record shares from."""

from __future__ import annotations

from townsquare.demo.spec import article

SCREEN = "https://screenandsound.example"

SILENT_TOUR = article(
    f"{SCREEN}/news/silent-restoration-tour-live-score",
    site="Screen & Sound",
    title="Restored silent classic goes on tour with a new score played live",
    author="Marguerite Okonjo",
    age_days=2,
    image="film-reel.svg",
    caption="The restoration began from three incomplete prints held in two countries. "
    "Illustration: Screen & Sound",
    text="""
        A newly restored print of one of the great silent comedies of the 1920s is going on
        tour this autumn, accompanied by a nine-piece orchestra playing a new score live in
        the room. The tour takes in thirty towns, most of them with small independent cinemas
        rather than concert halls.

        The restoration took four years. No complete copy of the film survived, so the
        archivists worked from three damaged prints held in two countries, scanning each frame
        and rebuilding missing scenes from whichever print had them. Several minutes of
        footage that audiences have not seen for ninety years are back in place.

        ## Written to be played, not replayed

        The new score was composed to be performed, not recorded. The conductor leaves room for
        the musicians to stretch or shorten a passage as the audience reacts, so that a laugh
        does not drown out the next gag. No two screenings will sound quite the same.

        > People are surprised that they laugh out loud. Silent comedy was made for a crowd,
        and it still works on one.

        Critics who saw the premiere described a room that behaved like a music-hall audience,
        gasping and cheering at stunts filmed a century ago. Watching the same film alone on a
        laptop, several admitted, they had only ever smiled.

        Tickets cost more than an ordinary screening, reflecting the cost of touring an
        orchestra, but most venues are offering reduced prices for students and under-sixteens.
        There is an interval halfway through, for the players and the audience alike.
    """,
)

BRAAM = article(
    f"{SCREEN}/features/the-trailer-braam",
    site="Screen & Sound",
    title="BRAAAM: how one enormous low note took over the film trailer",
    author="Leo Fairweather",
    age_days=3,
    image=None,
    caption=None,
    text="""
        You know the sound even if you have never thought about it: a huge, low blast of brass
        and synthesiser, somewhere between a foghorn and a building falling down, usually
        arriving the moment a title card fills the screen. Trailer editors call it the braam,
        and for more than a decade it has been very hard to escape.

        Its origins are disputed, but most people in the business trace the modern version to
        the soundtrack of one large science-fiction film, whose trailers used it to mark each
        turn of the story. Within a couple of years it had spread to trailers for superhero
        films, disaster films, thrillers and, memorably, at least one family comedy.

        ## A sound that means "trailer"

        The reason is less laziness than shorthand. A trailer has two minutes to tell you what
        kind of film you are looking at, and certain sounds have come to do that job on their
        own. The braam says: this is big. So does the ticking clock that speeds up, and the
        slowed-down, mournful cover of a cheerful pop song.

        Sound designers interviewed for this piece are mostly tired of it. Several keep
        libraries of hundreds of braams, each slightly different, because clients still ask
        for one. One admitted that he now starts every project by trying to talk the studio out
        of it.

        > The moment the audience notices a device, it stops working on them.

        There are signs of a turn. Some recent trailers lean on near-silence, a single line of
        dialogue, and a joke. Whether that becomes the next cliché is, as ever, a matter of
        time.
    """,
)

VINYL = article(
    f"{SCREEN}/music/vinyl-sales-and-sound",
    site="Screen & Sound",
    title="Vinyl outsells CDs again. Does it actually sound better?",
    author="Dev Khanna",
    age_days=0.5,
    image="vinyl.svg",
    caption="A record, a sleeve and twenty minutes a side. Illustration: Screen & Sound",
    text="""
        For another year running, more money was spent on vinyl records than on CDs, and the
        gap is widening. Most of the buyers are not collectors of old pressings but people
        buying new releases, many of them too young to remember records the first time round.

        Ask them why, and many will say that records sound better: warmer, fuller, more alive.
        The honest answer is more complicated. By almost every measurement, a well-made digital
        file is more accurate than a record. It has less background noise, a wider dynamic
        range and no wear, and it sounds the same on the hundredth play as on the first.

        ## What vinyl adds

        What people hear as warmth is partly real. Records are often mastered differently,
        with less of the heavy compression used to make digital releases loud, and the small
        distortions of the stylus can be pleasant to the ear. But much of the appeal has
        nothing to do with sound at all.

        A record asks you to sit down and listen. The sleeve is big enough to look at, the
        liner notes are readable without glasses, and every twenty minutes the side ends and
        you have to get up and turn it over. Listeners describe that break as a feature: a
        moment to decide whether you want more.

        > Nobody puts a record on in the background. That is the whole point.

        There is also music that simply is not available any other way. Large parts of the
        jazz, soul and folk catalogues of the last century have never been reissued digitally,
        and for those, the record is not a nostalgic choice but the only one.
    """,
)
