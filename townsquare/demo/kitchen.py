"""Kitchen & Garden: growing and cooking."""

from __future__ import annotations

from townsquare.demo.articles import kitchen as press
from townsquare.demo.spec import comment, discussion, reply

DISCUSSIONS = (
    discussion(
        "kitchen-garden",
        "lena",
        "The one vegetable you will never bother growing again",
        days_ago=41,
        span_days=6,
        body="""
            Mine is **celery**. Four months of fussing, constant watering, and at the end of it
            three stringy stalks that tasted of regret. The shop sells it for the price of a
            coffee.

            Confess yours.
        """,
        comments=(
            comment(
                "tomasz",
                "Cauliflower. Every single year, a head the size of a golf ball. My neighbour grows them like footballs and won't tell me how.",
                reply("lena", "It's always the neighbour. Bribe him with rye bread."),
                reply("tomasz", "I have. He took the bread and kept the secret."),
            ),
            comment(
                "ines",
                "Sweetcorn on a balcony. The wind flattened it twice and the one cob I got was eaten by a pigeon while I watched.",
            ),
            comment(
                "rosa",
                "Never again: courgettes. Not because they fail. Because they *don't*. I was leaving them on doorsteps like a criminal.",
                reply(
                    "margaret",
                    "I found one on my step in August and assumed it was you. Made a lovely soup.",
                ),
            ),
            comment(
                "kofi",
                "Carrots. My soil is basically a gravel path. They came out forked like little orange people.",
                reply("june", "Forked carrots are the best carrots. Photograph them next time!"),
            ),
        ),
    ),
    discussion(
        "kitchen-garden",
        "rosa",
        "The case for cooking beans from dry (and my lazy method)",
        article=press.DRIED_BEANS,
        days_ago=32,
        body="""
            This article makes the case for dried beans better than I ever have: cheaper, better
            texture, and you get the **cooking liquid**, which is liquid gold for soups.

            People think it's a lot of work. It isn't. My method:

            1. Rinse a bag of beans and put them in a big pot with plenty of water the night
               before. Go to bed.
            2. In the morning, drain, cover with fresh water by a few fingers, add an onion cut in
               half, a bay leaf, a glug of olive oil.
            3. Simmer gently, lid ajar, until creamy all the way through. **Salt when they're
               nearly done**, then leave them to sit in the liquid for half an hour.
            4. Freeze in portions, with their liquid.

            That's it. The *only* skill is tasting one every ten minutes towards the end.
        """,
        comments=(
            comment(
                "margaret",
                "My mother cooked beans this way every Sunday of my childhood. The smell of bay leaves still means the weekend to me.",
            ),
            comment(
                "kofi",
                "Tried it with chickpeas. Ate half of them straight from the pot with salt before they made it into anything.",
                reply("rosa", "That is the correct result."),
            ),
            comment(
                "ines",
                'Does the salt timing matter? I\'ve read both "salt early" and "salt late" with total confidence.',
                reply(
                    "rosa",
                    "Honestly, both work. Early gives more seasoned beans, late is more forgiving if your beans are old. I go late because mine usually are.",
                ),
                reply("ines", "Old beans, forgiving salt. Got it."),
            ),
            comment(
                "june",
                "The leftover liquid makes the best base for a quick soup with greens. I'm a convert.",
            ),
        ),
    ),
    discussion(
        "kitchen-garden",
        "ines",
        "No-dig beds, two years in: an honest report",
        article=press.NO_DIG,
        days_ago=21,
        body="""
            This write-up of a two-year no-dig trial matches my own experience, so I'll add my
            notes from the shared plot behind the hospital.

            **What worked:** far fewer weeds after the first year, soil that stays damp longer,
            and my back is grateful.

            **What didn't:** the first year's compost bill was enormous, and the slugs *loved*
            living under the mulch.

            **Verdict:** I wouldn't go back, but start with one bed, not the whole plot.
        """,
        comments=(
            comment(
                "lena",
                "We switched half the community garden over. The volunteers with bad knees voted for it unanimously.",
                reply("ines", "The knee vote is the one that matters."),
            ),
            comment(
                "tomasz",
                "I still dig. I'm sixty-eight and it's the only exercise I do. But I'll admit the no-dig beds next to mine look better.",
            ),
            comment(
                "rosa",
                "For the compost bill: the council gives away free municipal compost in spring. It's a bit rough but fine for a first layer.",
            ),
        ),
    ),
    discussion(
        "kitchen-garden",
        "tomasz",
        "Slugs. Again. What actually works?",
        days_ago=8,
        span_days=4,
        body="""
            Things I have tried this year, with results:

            - Beer traps: caught a lot of slugs and one very happy hedgehog.
            - Copper tape: looked smart, achieved nothing.
            - Crushed eggshells: the slugs walked over them like a red carpet.
            - Going out at night with a torch: works, but the neighbours have questions.

            What works for you, short of poison? We have frogs and birds I'd like to keep.
        """,
        comments=(
            comment(
                "lena",
                "Encourage the predators: a small pond for frogs and a log pile for beetles made the biggest difference in our garden. It takes a season or two.",
            ),
            comment(
                "ines",
                "Grow seedlings on until they're bigger before planting out. Slugs love tender babies and mostly leave tough teenagers alone.",
                reply("tomasz", "Tough teenagers. I raised two; I know the type."),
            ),
            comment(
                "marcus",
                "I'll back the torch method. My neighbours already think I'm odd for getting home at midnight, so I lose nothing.",
            ),
            comment(
                "margaret", "Save the beer for yourself, Tomasz. The hedgehog can find its own."
            ),
        ),
    ),
    discussion(
        "kitchen-garden",
        "kofi",
        "Study: the back of the fridge is where food goes to die",
        article=press.FRIDGE,
        days_ago=1.6,
        body="""
            Researchers followed households with fridge cameras (with permission!) for a month.
            Most of the wasted food wasn't leftovers or bread, it was things that had been
            **pushed to the back** and forgotten: half jars, herbs, the other half of an onion.

            Their suggestions are simple: a "use first" shelf at eye level, clear containers,
            and a quick fridge check before shopping.

            I did the fridge check this morning and found three open jars of the same chutney.
        """,
        comments=(
            comment(
                "rosa",
                'Once a week I make a "fridge soup" from whatever\'s nearly gone. Never the same twice. Occasionally excellent.',
                reply("kofi", 'Putting "fridge soup night" on the calendar.'),
            ),
            comment(
                "june", "Clear containers changed my life. If I can't see it, it doesn't exist."
            ),
            comment(
                "demo",
                "Three jars of the same chutney is a personal best. What kind?",
                reply("kofi", "Tomato. Apparently I am very worried about running out of it."),
            ),
        ),
    ),
)
