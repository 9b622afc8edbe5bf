"""Lindenfield Neighbours: the local group (its busiest discussion is in busy.py)."""

from __future__ import annotations

from townsquare.demo.articles import local as press
from townsquare.demo.articles import science as press_science
from townsquare.demo.spec import comment, discussion, reply

DISCUSSIONS = (
    discussion(
        "lindenfield",
        "demo",
        "New to Lindenfield, or new to this site? Say hello here",
        days_ago=46.8,
        span_days=20,
        body="""
            Welcome! This group is for anyone who lives in Lindenfield or spends a good part of
            their week here. Tell us:

            - roughly which part of town you are in (the *part*, not your street),
            - how long you have been around,
            - one thing you would show a visitor.

            I will start. I have lived near the canal for eleven years, I walk a very opinionated
            terrier twice a day, and I would take any visitor to the Saturday market for the
            cardamom buns before they sell out at ten.
        """,
        comments=(
            comment(
                "margaret",
                "Forty years on the east side, three different houses, same corner shop. I'd take a visitor up Beacon Hill at sunset. Bring a flask.",
                reply("demo", "The flask is not optional, I have learned."),
                reply("rosa", "Peg's flask has *something* in it besides tea, for the record."),
            ),
            comment(
                "kofi",
                "Moved here two years ago for work, stayed for the cycle path along the old railway. Visitors get the path, then coffee at the end of it.",
            ),
            comment(
                "ines",
                "Hello from the flats by the hospital! I work nights, so I'm the one who knows which bakery opens at 5am (the one on Mill Row, and it's excellent).",
                reply("kofi", "Noted, for reasons entirely unrelated to my sleep schedule."),
            ),
            comment(
                "marcus",
                "If you've been on the 7 you've probably met me. Show a visitor the view from the top deck going over the viaduct. Best seat in town and it costs a bus fare.",
            ),
            comment(
                "june",
                "Just south of the park. I'd show a visitor the little cinema on Quay Street, the one with the sofas in the front row.",
                reply(
                    "hannah",
                    "The sofas are a trap. You will fall asleep during the second act and you will not regret it.",
                ),
            ),
            comment(
                "lena",
                "Alder Street, next to the community garden, which I am contractually obliged to mention. Come and see the bees on an open day.",
            ),
        ),
    ),
    discussion(
        "lindenfield",
        "ines",
        "Lost: grey tabby called Biscuit, near the canal bridge",
        days_ago=37.2,
        span_days=1.2,
        body="""
            Our cat Biscuit didn't come home last night. Grey tabby, white socks on the front paws,
            a notch in his left ear, very talkative. He is microchipped but has no collar (he takes
            them off, every time).

            Last seen around the canal bridge end of Wharf Road. If you have a shed or garage near
            there, could you have a look inside? He is a champion at getting shut in places.

            Message me here rather than posting where you are, please. Thank you!
        """,
        comments=(
            comment(
                "tomasz",
                "Checked my shed and the garage behind the allotments. No Biscuit, but I'll look again this evening when it's quiet.",
            ),
            comment(
                "margaret",
                "Shared with the east side walking group. A dozen people with dogs and flashlights are a formidable search party.",
                reply("ines", "Thank you, Peg. That's more than I hoped for."),
            ),
            comment(
                "lena",
                "Shake a box of his biscuits at dusk near where he was last seen. It works on our lot every single time.",
            ),
            comment(
                "ines",
                """
                **Found!** He was locked in the boathouse at the rowing club, extremely offended
                and very hungry. The caretaker heard him complaining. Thank you, all of you.
            """,
                reply(
                    "marcus",
                    "Best news of the week. Give him an extra dinner from the number 7 fan club.",
                ),
                reply("demo", "Wonderful. Marking this as a happy ending."),
                reply("tomasz", "The rowing club should charge him rent."),
            ),
        ),
    ),
    discussion(
        "lindenfield",
        "demo",
        "East side streetlights: we can ask for amber ones",
        # Shared from a newsletter, tracking tags and all: the same article as the
        # Science Notebook's, so each discussion shows the other under "Also discussed in".
        article=press_science.STREETLIGHTS,
        link=f"{press_science.STREETLIGHTS.url}?utm_source=newsletter&utm_medium=email",
        days_ago=31.5,
        span_days=3,
        body="""
            Some of you will have seen this in the Science Notebook already. The council is
            replacing the old streetlights on the east side next spring, and at Tuesday's open
            meeting I asked whether we get a say in the colour.

            We do. The officer said **amber LEDs cost the same** as white ones, and the council
            will use them on residential streets where residents ask. What counts as asking: a
            letter from a residents' group, or a good number of individual ones, before the end
            of next month.

            The article is worth five minutes if you missed it: fewer moths trapped circling
            the lamps, more bats, and the streets look about as bright to us. I'll draft a
            letter this weekend. Who wants to sign?
        """,
        comments=(
            comment(
                "lena",
                "Me, obviously, and the garden volunteers. I'll bring the letter to Saturday's work morning.",
            ),
            comment(
                "ines",
                "As long as it's bright enough walking home from a night shift at 3am, I'm in. Is it?",
                reply(
                    "priya",
                    "It should be. Our eyes care about brightness far more than colour, and amber LEDs are nearly as efficient. It's the moths that see the difference.",
                ),
                reply("ines", "Then sign me up."),
            ),
            comment(
                "margaret",
                "Put the letter on paper too, please. Half my street doesn't do email, and every signature counts.",
                reply("demo", "Paper copies at the library desk and in the corner shop, then."),
            ),
            comment(
                "kofi",
                "Signed. Less glare off wet roads on the bike is a bonus nobody mentions.",
            ),
        ),
    ),
    discussion(
        "lindenfield",
        "marcus",
        "Route 7 timetable changes from next month — what I know so far",
        article=press.ROUTE_7,
        days_ago=28,
        span_days=4,
        body="""
            The Gazette has the official version. From behind the wheel, the short story:

            1. **Evening buses go every 20 minutes instead of 30**, until 11pm. Good news.
            2. The loop round the retail park is gone. Buses go straight down Station Road.
            3. The first bus on Sundays moves from 7:40 to 8:10, which I know the early shift at the
               hospital will not love.

            Ask me anything and I'll find out what I can. I cannot, sadly, do anything about the
            roadworks on Mill Row.
        """,
        comments=(
            comment(
                "ines",
                "The Sunday change is rough for us. Half the ward catches the 7:40. Is there any chance of keeping one early bus?",
                reply(
                    "marcus",
                    "I've passed that on to the depot. Worth writing to the consultation too, they do count the letters.",
                ),
                reply(
                    "margaret",
                    "I'll help draft something if you want a hand. Letters from a group of staff go further than one.",
                ),
            ),
            comment(
                "kofi",
                "Losing the retail park loop is fine by me. It added ten minutes for three passengers.",
            ),
            comment(
                "rosa",
                "More evening buses means I can finally go to the late showings at the Quay without a taxi. Thank you, whoever decided that.",
            ),
            comment(
                "tomasz",
                "Will the stop by the allotments stay? It's the only one with a bench.",
                reply("marcus", "Staying, bench and all."),
            ),
        ),
    ),
    discussion(
        "lindenfield",
        "tomasz",
        "Repair café on Saturday at the library: bring your broken toaster",
        article=press.REPAIR_CAFE,
        days_ago=12,
        span_days=5,
        body="""
            We are running the repair café again on Saturday from ten until two, in the library's
            community room. Bring anything small and broken: lamps, toasters, bikes with sad gears,
            jumpers with holes, radios.

            Fixing things is only half of it. You sit with the volunteer and **learn how it was
            fixed**, so next time you can do it yourself. Last time we saved 41 things from the
            tip, including a sewing machine from 1962.

            We could use one or two more people who are handy with **textiles**. Reply here if you
            can spare an hour.
        """,
        comments=(
            comment(
                "rosa",
                "I can darn and patch, and I have a box of buttons that goes back decades. Count me in for the morning.",
                reply(
                    "tomasz", "Perfect, thank you. You have the morning shift at the sewing table."
                ),
            ),
            comment(
                "kofi",
                "I'll bring the bike tools again. Last time it was mostly brakes and chains that had never seen oil.",
            ),
            comment(
                "hannah",
                "The library is happy to host every month if the numbers hold up. Tell your friends!",
            ),
            comment(
                "june",
                "Do you take ceramics? I have a teapot with a broken handle and a lot of guilt about it.",
                reply(
                    "tomasz",
                    "Bring it. I can't promise a miracle, but kintsugi-style repairs with epoxy are very doable.",
                ),
                reply("june", "A golden seam would honestly be an improvement."),
            ),
            comment(
                "margaret",
                "Went last time with a radio that had been dead since the nineties. A loose wire! I could have cried.",
            ),
        ),
    ),
)
