"""Science Notebook: shared science news and what members made of it."""

from __future__ import annotations

from townsquare.demo.articles import science as press
from townsquare.demo.spec import comment, discussion, reply

DISCUSSIONS = (
    discussion(
        "science-notebook",
        "priya",
        "Octopuses seem to have two kinds of sleep, and one looks a lot like dreaming",
        article=press.OCTOPUS,
        days_ago=43,
        body="""
            Lovely piece of work. Researchers filmed sleeping octopuses and found two distinct
            states: a quiet one, where the animal goes pale and still, and a short "active" one
            that comes back every hour or so, where its **skin ripples through colours and
            patterns** and its eyes and arms twitch.

            The tempting headline is *octopuses dream*. The article is careful not to say that,
            and I think rightly so. What they can say is that the active phase:

            - is regular, and comes back if you deprive the animal of it,
            - shows brain activity that resembles the octopus's waking activity,
            - replays skin patterns the animal uses when it is awake and hunting or hiding.

            Which is *at least* as strange as dreaming, given that our last common ancestor with
            octopuses was a worm-like thing over half a billion years ago. Two very different
            brains seem to have arrived at something similar on their own.
        """,
        comments=(
            comment(
                "eli",
                "The replaying part is what gets me. In mammals we think sleep replay helps consolidate memory. If octopuses evolved it independently, that's a strong hint it's solving a real problem, not an accident of our wiring.",
                reply(
                    "priya",
                    "Exactly the convergent evolution point. Same answer, two completely separate exam papers.",
                ),
            ),
            comment(
                "arjun",
                "I just want a time-lapse of an octopus sleeping in my living room. Purely for science.",
            ),
            comment(
                "sam",
                "Careful philosophers everywhere are nodding at the article's refusal to say \"dreams\". We don't even have a great account of what a human dream *is*, beyond the report afterwards. And the octopus can't give us the report.",
                reply(
                    "tomasz",
                    "My grandmother could have given an octopus lessons in not telling you about her dreams.",
                ),
                reply("sam", "That's a whole separate paper."),
            ),
            comment(
                "ines",
                "Anyone who has worked nights knows how much sleep matters to everything else. Nice to know the octopus is in the same union.",
            ),
        ),
    ),
    discussion(
        "science-notebook",
        "lena",
        "Warmer streetlights, more moths, happier bats?",
        article=press.STREETLIGHTS,
        days_ago=35,
        body="""
            A town swapped half its white LED streetlights for amber ones and counted insects
            under both for two summers. Under the amber lights there were noticeably **fewer
            insects trapped circling the lamp**, and more of them got on with their night:
            pollinating, breeding, being eaten by bats.

            As a beekeeper I mostly think about the day shift, but night pollinators do a
            surprising amount of work, and they are having a rough time.

            Our council is replacing lights on the east side next year. Does anyone know whether
            they have a choice of colour?
        """,
        comments=(
            comment(
                "kofi",
                "Amber lights are also much kinder to your eyes when you're cycling at night. Less glare off wet roads.",
            ),
            comment(
                "priya",
                "Physics footnote: insects are drawn mostly by the blue and ultraviolet end of the spectrum, which white LEDs have plenty of. Amber cuts most of it out. Same brightness to us, very different lamp to a moth.",
                reply("lena", "That's the clearest explanation I've read. Thank you!"),
            ),
            comment(
                "demo",
                "I'll ask at the council's next open meeting. If there's a choice to make, a few letters from residents could tip it.",
                reply("lena", "I'll write one. And I'll rope in the garden volunteers."),
            ),
            comment(
                "tomasz",
                "There were far more moths when I was a boy. You'd get a windscreen full on a summer drive. Nobody believed me until they started counting.",
            ),
        ),
    ),
    discussion(
        "science-notebook",
        "kofi",
        "Why my sourdough starter smells of nail-polish remover (the chemistry)",
        article=press.SOURDOUGH,
        days_ago=27,
        span_days=2,
        body="""
            Mine went from "pleasantly tangy" to "hardware shop" last week and I panicked. It
            turns out there's a tidy explanation: when the yeast and bacteria run out of food,
            stressed yeast produce more **ethyl acetate**, which is literally a nail-polish
            remover solvent. It's a hunger signal, not a death rattle.

            > A starter that smells of acetone is not spoiled. It is asking to be fed.

            Fed it twice a day for three days and it's back to smelling like yoghurt and apples.
            Science saves another loaf.
        """,
        comments=(
            comment("ines", "So it's hangry. Relatable."),
            comment(
                "tomasz",
                "My rye starter is thirty years old this spring and has smelled of everything from beer to old socks. Never killed it. They're tougher than people think.",
                reply("kofi", "Thirty years! Does it have a name?"),
                reply("tomasz", "My wife called it Stefan. Nobody remembers why."),
            ),
            comment(
                "eli",
                'Nice that the article explains the *why*. "Feed it more" is folk wisdom, "it\'s a starvation signal" is something you can reason from.',
            ),
        ),
    ),
    discussion(
        "science-notebook",
        "eli",
        "Psychology's replication report card, ten years on",
        article=press.REPLICATION,
        days_ago=15,
        body="""
            A good, non-gloating overview of where psychology stands a decade after the big
            replication projects. Short version: a lot of famous effects shrank or vanished, but
            the field changed its habits more than most.

            The habits that seem to have worked:

            1. **Pre-registration**: you write down your hypothesis and analysis before you see
               the data.
            2. **Bigger samples**, often pooled across many labs.
            3. Publishing the data and code so anyone can rerun it.

            Medicine went through its own version of this and is still going through it. I'd
            much rather belong to a field that finds its mistakes than to one that never looks.
        """,
        comments=(
            comment(
                "sam",
                '"A field that finds its mistakes" is more or less the whole case for science over revelation, in one line.',
                reply("eli", "I'll put it on a mug."),
                reply("hannah", "Make two."),
            ),
            comment(
                "priya",
                'Physics has its skeletons too, mostly in the form of "discoveries" that turned out to be a loose cable. The fix was the same: more eyes, more data, less ego.',
            ),
            comment(
                "arjun",
                "As an accountant, pre-registration sounds a lot like an audit trail. Decide the rules before you see the numbers, or you'll always find the numbers you wanted.",
            ),
            comment(
                "demo",
                "Is there a list somewhere of which classic findings held up? I'd love something to point people to when a ten-year-old headline comes round again.",
                reply(
                    "eli", "The article links two at the bottom. I'll dig out the better of them."
                ),
            ),
        ),
    ),
    discussion(
        "science-notebook",
        "arjun",
        "Asteroid sample full of amino acids: what it means and what it doesn't",
        article=press.ASTEROID,
        days_ago=3.5,
        body="""
            The sample brought back from a near-Earth asteroid has now been through the labs, and
            it is rich in **amino acids, ammonia and salty minerals**, the kind left behind when
            water evaporates. Some of the amino acids are the ones our proteins use.

            What it *does* mean: the raw materials for life were common in the early solar system
            and could have arrived on Earth by the tonne.

            What it *doesn't* mean: that life came from space, or that there's life on the
            asteroid. Ingredients are not a cake.

            Still, the clean handling matters. Earlier meteorite finds always had the question
            "was that contamination from the ground?" hanging over them. This sample never touched
            the ground.
        """,
        comments=(
            comment(
                "priya",
                '"Ingredients are not a cake" is going straight into my lesson next week.',
                reply("arjun", "Royalties payable in cake."),
            ),
            comment(
                "tomasz",
                "I like that the interesting part is how carefully they handled the sample. It's the boring procedures that make the exciting result believable.",
            ),
            comment(
                "lena",
                "Salt, water and amino acids. Sounds like the stock I made on Sunday, frankly.",
            ),
        ),
    ),
)
