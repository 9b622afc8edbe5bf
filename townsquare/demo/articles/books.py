"""Essays and features the Slow Readers share."""

from __future__ import annotations

from townsquare.demo.spec import article

QUITTING = article(
    "https://thereadingroom.example/essays/permission-to-quit",
    site="The Reading Room",
    title="Permission to quit: in praise of the unfinished book",
    author="Clara Beaumont",
    age_days=4,
    image="bookshelf.svg",
    caption="Every shelf has them: the books with the bookmark stuck a third of the way in. "
    "Illustration: The Reading Room",
    text="""
        For most of my life I finished every book I started. It felt like a promise: I had
        opened it, so I owed it the last page. I finished novels I disliked, memoirs that
        bored me and one four-volume history that I still resent. Then, one winter, I did some
        arithmetic, and I stopped.

        The arithmetic is simple and a little brutal. If you read a book a week, which is a lot,
        and you have forty years of reading ahead of you, you will read about two thousand
        books. That sounds like plenty until you look at a library. Every book you push through
        without pleasure is one you will never have time for.

        ## A skill, not a failing

        Giving up on a book is usually treated as a failure of character: a lack of patience,
        of seriousness, of stamina. I have come to think it is the opposite, a reading skill,
        and one that good readers use all the time. Knowing what a book is offering, and
        whether you want it now, is part of reading well.

        The old librarian's rule of fifty pages is a good place to start. Give a book fifty
        pages of honest attention, then decide. Some people refine it: subtract your age from a
        hundred, and that is how many pages a book gets. The older you are, the sooner it must
        win you over.

        > Putting a book down is not a verdict on it. It may simply not be your book yet.

        Quitting is also not for ever. Some of the books I love most are ones I abandoned once,
        at the wrong age or in the wrong year, and came back to later. The book had not
        changed. I had.

        Since I gave myself permission to stop, I read more than I did before, not less. The
        bookmark stuck a third of the way into a novel no longer reproaches me from the
        bedside table. It has simply moved on to the next book.
    """,
)

MONTAIGNE = article(
    "https://longshelf.example/essays/montaigne-still-talks-back",
    site="The Long Shelf",
    title="Why Montaigne still talks back, four hundred years on",
    author="Julian Marsh",
    age_days=6,
    image=None,
    caption=None,
    text="""
        In 1571, aged thirty-eight, Michel de Montaigne retired to a round tower on his estate
        in south-west France, surrounded himself with books and began to write about whatever
        was on his mind: friendship, cannibals, idleness, cruelty, his own kidney stones. He
        called the pieces essais, attempts, and in doing so invented a form we still use.

        What makes him feel so modern is that he did not write verdicts. An essay, for
        Montaigne, was a try at thinking something through on the page. He changes his mind,
        wanders off, comes back, contradicts what he said three pages earlier and leaves the
        contradiction in, because that is how a real mind works.

        ## A motto for a violent age

        He wrote in the middle of France's wars of religion, when people were killing each
        other over certainties. Against that, he had a medal struck with a pair of balanced
        scales and three words:

        > What do I know?

        It was not a shrug. It was a discipline: to look hard at what you believe and why, and
        to notice how much of it rests on custom, temper and the accident of where you were
        born. His essay on cannibals turns the charge of barbarism back on his own countrymen.

        ## Where to begin

        Do not start at the beginning. The essays were never meant to be read in order, and the
        early ones are the least like him. Open the book anywhere, or try one of the obvious
        doors: "Of idleness", short and disarming; "Of cannibals"; or the last and longest, "Of
        experience", where a man in pain writes some of the wisest pages about living that
        anyone has managed.
    """,
)

LIBRARY_OF_THINGS = article(
    "https://civicmatters.example/features/library-of-things",
    site="Civic Matters",
    title="Borrow a drill, a cake tin or a telescope: the rise of the library of things",
    author="Amara Nwosu",
    age_days=2,
    image="library-of-things.svg",
    caption="Alongside the novels: a telescope, a sewing machine, a drill and a shelf of "
    "cake tins, all on loan. Illustration: Civic Matters",
    text="""
        The average household drill, it is often said, is used for about thirteen minutes in
        its whole life. Whatever the true figure, most of us own things we use once or twice
        a year, and a growing number of public libraries are offering another way: lend the
        things out, just like books.

        A library of things works much like a library of books. Members browse a catalogue,
        reserve a carpet cleaner or a pressure washer, pick it up and bring it back a few days
        later. Some charge a small fee to cover repairs; many are free.

        ## What people borrow

        The catalogues are revealing. Drills and sanders top the lists, followed by sewing
        machines, carpet cleaners and camping gear. Cake tins in unusual shapes are
        surprisingly popular, and several libraries now lend telescopes, which their staff say
        bring in people who have not set foot in a library since school.

        Seed libraries are a close cousin. Members take a packet of seeds in spring and, if
        they can, bring back seeds saved from their own plants in autumn, so the collection
        slowly adapts to local gardens.

        > People come in for a drill and leave with a library card and three novels.

        The difficulties are practical. Things take up far more room than books, need checking
        and cleaning between loans, and sometimes come back broken. The schemes that last tend
        to have a dedicated corner, a few trained volunteers and links with a local repair
        café.

        For councils, the attraction is that it costs little and brings people through the
        door. For members, it saves money and cupboard space. And for the planet, every drill
        shared is a drill that did not need to be made.
    """,
)
