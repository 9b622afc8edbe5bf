"""Reel & Record: films and music."""

from __future__ import annotations

from townsquare.demo.articles import film as press
from townsquare.demo.spec import comment, discussion, reply

DISCUSSIONS = (
    discussion(
        "reel-and-record",
        "marcus",
        "Albums you only loved on the tenth listen",
        days_ago=39,
        span_days=8,
        body="""
            Some records grab you at once. The ones I love most took ages. First listen: noise.
            Third: a couple of good tracks. Tenth: *how did I ever not hear this?*

            For me it was a late-period big-band album my uncle swore by. I thought it was
            shapeless for about a year. Now I think it's the most generous music I own.

            Which albums made you wait?
        """,
        comments=(
            comment(
                "june",
                "A very quiet folk record that I thought was boring until I listened on headphones on a night bus. Now it's the only thing I play on night buses.",
                reply(
                    "marcus",
                    "Night buses are the best listening rooms in the world. I might be biased.",
                ),
            ),
            comment(
                "kofi",
                "Anything with odd time signatures. First listen my brain fights it, by the fifth I can't imagine it in four-four.",
            ),
            comment(
                "sam",
                'A string quartet cycle I was told to "just give time". The first listen felt like homework; the tenth felt like a conversation.',
                reply(
                    "hannah",
                    "Same thing happens to me with poetry. The first read is decoding; the later ones are reading.",
                ),
            ),
            comment(
                "arjun",
                "The album my sister played on every car journey of my childhood. I hated it then. I put it on by choice last week and had to pull over.",
            ),
        ),
    ),
    discussion(
        "reel-and-record",
        "june",
        "Restored silent classic touring with a live score: worth it?",
        article=press.SILENT_TOUR,
        days_ago=31,
        body="""
            A newly restored print of a 1920s silent film is touring with a small orchestra
            playing a new score live, and it comes to the Quay in a few weeks.

            I've only ever watched silent films at home, on a laptop, half distracted. The
            reviews say seeing one with a room full of people and live music is a completely
            different thing: people *laugh*, out loud, at hundred-year-old jokes.

            Anyone been to one of these? Is it worth the (quite steep) ticket?
        """,
        comments=(
            comment(
                "hannah",
                "Went to one years ago and it's one of my best nights at the cinema, ever. The music makes the room breathe together. Go.",
                reply("june", "Sold. Who's coming?"),
                reply("ines", "Me, if it's not during a night shift!"),
            ),
            comment(
                "marcus",
                "The musicians improvise a bit to match the audience. No two shows are the same. That alone is worth the ticket.",
            ),
            comment(
                "eli",
                "Silent comedy with a crowd is the purest laughter there is. No dialogue to miss, just bodies doing ridiculous things with perfect timing.",
            ),
        ),
    ),
    discussion(
        "reel-and-record",
        "kofi",
        "Why do all film trailers sound the same now?",
        article=press.BRAAM,
        days_ago=19,
        body="""
            This feature traces the *BRAAAM*: the huge low horn blast that's in nearly every
            action trailer now. One film used it memorably, then every trailer editor copied it,
            and now it's basically the sound of "a trailer is happening".

            My other trailer pet peeves:

            - the slowed-down, sad cover of a pop song,
            - the record-scratch freeze frame,
            - showing the *entire plot*, including the ending.

            Add yours.
        """,
        comments=(
            comment(
                "june",
                "The ticking clock getting louder. Every thriller. Every single one.",
                reply("kofi", "Tick. Tick. Tick. BRAAAM."),
            ),
            comment(
                "arjun",
                "The single line of dialogue, then silence, then a joke. It's a formula because it works on me every time, which is the annoying part.",
            ),
            comment(
                "eli",
                "Trailers that reveal the twist should be a crime. I have stopped watching them for films I already plan to see.",
            ),
            comment(
                "demo",
                'The old voiceover man is due a comeback. "In a world..." at least had charm.',
            ),
        ),
    ),
    discussion(
        "reel-and-record",
        "eli",
        "Recommend a documentary that changed your mind about something",
        days_ago=6.5,
        span_days=5,
        body="""
            Not just one you liked: one that actually moved a belief. Mine was a documentary
            about a hospital that cut its infection rate by turning checklists into a team habit
            instead of a chore. I used to roll my eyes at checklists. Not any more.
        """,
        comments=(
            comment(
                "ines",
                "A film about the people who clean hospitals at night. I work alongside them and still hadn't thought about their side of it. It made me a better colleague.",
            ),
            comment(
                "sam",
                "One about a town that held a citizens' assembly on a divisive issue. I came out much less cynical about ordinary people's ability to deliberate.",
                reply("eli", "That one's on my list now."),
            ),
            comment(
                "marcus",
                "A documentary about the history of the bus routes in a big city. Sounds dull. Changed how I think about who a city is built for.",
                reply(
                    "kofi",
                    "Urban transport documentaries are secretly thrillers. I will not be taking questions.",
                ),
                reply("marcus", "Finally, someone who gets it."),
            ),
        ),
    ),
    discussion(
        "reel-and-record",
        "arjun",
        "Vinyl sales up again: nostalgia, or do records sound better?",
        article=press.VINYL,
        days_ago=0.9,
        body="""
            Vinyl outsold CDs again this year. The article is refreshingly honest: a well-made
            digital file is **technically more accurate** than a record. What vinyl has is a
            *ritual*: the big sleeve, the side break, sitting down and actually listening.

            I buy records and I'm fine admitting it's mostly the ritual. The gear nerd in me
            would like to claim otherwise.
        """,
        comments=(
            comment(
                "marcus",
                "Half my jazz collection was never reissued digitally, so for me it isn't nostalgia, it's the only way to hear them.",
            ),
            comment(
                "kofi",
                "The side break is underrated. Twenty minutes, then you have to decide whether you really want more.",
                reply(
                    "arjun",
                    "It's a built-in intermission. Like the silent film orchestra's coffee break.",
                ),
            ),
        ),
    ),
)
