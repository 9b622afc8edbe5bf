"""ScienceWire: the science news site the Science Notebook shares from."""

from __future__ import annotations

from townsquare.demo.spec import article

WIRE = "https://sciencewire.example"

OCTOPUS = article(
    f"{WIRE}/biology/octopus-active-sleep-colour-flashes",
    site="ScienceWire",
    title="Octopuses sleep in two stages, and in one of them their skin replays the day",
    author="Nadia Okafor",
    age_days=2,
    image="octopus.svg",
    caption="In active sleep an octopus cycles through the colours and textures it uses awake. "
    "Illustration: ScienceWire",
    text="""
        Filmed through the night in their tanks, sleeping octopuses turn out to switch between
        two quite different states. Most of the time they are in a quiet sleep: pale, still,
        pupils narrowed to slits. But roughly once an hour, for about a minute, the skin
        suddenly ripples through colours and patterns while the eyes and arm tips twitch.

        The researchers call this second state "active sleep", and they have been careful to
        show that it really is sleep. During both phases the animals were slow to react to a
        tap on the glass, and when they were kept from entering the active phase, they made up
        for it with more of it later, the same rebound seen in sleep-deprived mammals.

        ## Patterns from waking life

        Recordings from electrodes near the octopus's central brain found that activity during
        active sleep resembles its activity when awake. The skin tells the same story. The
        patterns flashing across a sleeping animal are the ones it uses by day, to blend into
        a rock, to warn off a rival or to stalk a crab, played out of order and in fragments.

        That looks a great deal like the replay seen in sleeping rats, whose brains run back
        through the maze they explored that afternoon. In mammals, replay is thought to help
        fix new memories, and the team suspects the octopus may be doing something similar
        with what it learned about its surroundings.

        > We can see the patterns. We cannot ask the octopus what, if anything, it was like.

        The team stops short of saying that octopuses dream. A dream, in people, is known
        mostly from what the dreamer reports on waking, and no octopus will ever fill in a
        questionnaire. What the study does show is a regular, protected phase of sleep in
        which waking experience seems to be revisited.

        The striking part is how independently it arose. The last ancestor that octopuses and
        humans share was a small worm-like animal living more than half a billion years ago.
        Two very different nervous systems, built along separate lines ever since, appear to
        have arrived at a two-stage sleep of their own accord, which suggests it solves a
        problem that any complex brain runs into.
    """,
)

STREETLIGHTS = article(
    f"{WIRE}/ecology/amber-streetlights-insects-bats",
    site="ScienceWire",
    title="Amber streetlights pull far fewer insects off course, two-summer trial finds",
    author="Tom Ashworth",
    age_days=1.5,
    image="streetlight.svg",
    caption="White LEDs give off plenty of the blue light that draws insects; amber lamps "
    "give off very little. Illustration: ScienceWire",
    text="""
        When a small town replaced half of its white LED streetlights with amber ones,
        ecologists took the chance to count what flew around them. Over two summers, the amber
        lamps attracted far fewer insects than the white ones on neighbouring streets, and far
        fewer of those insects stayed trapped, circling the light until dawn.

        A moth that spends the night orbiting a lamp is not feeding, mating or pollinating, and
        it is easy pickings. Freed from the lamps, more insects on the amber streets went about
        their night, and the bats that hunt along the same roads were recorded more often too.

        ## Why colour matters

        Many night-flying insects are most sensitive to the blue and ultraviolet end of the
        spectrum, the part white LEDs give off in abundance. Amber lamps leave most of it out.
        To a person walking home the two kinds of street look about equally bright; to a moth
        they are very different places.

        Night pollinators do more work than they get credit for. Moths visit many of the same
        flowers as bees, along with some that bees ignore, and their numbers have fallen
        steeply across much of Europe over the past few decades. Artificial light is one of
        several suspects, alongside pesticides and lost habitat.

        The authors point out that the change is cheap when it is made at the right moment.
        Many councils are replacing their old sodium lamps with LEDs anyway, and amber LEDs
        cost about the same as white ones. Dimming lights after midnight and shielding them so
        they shine down rather than out helps further.

        > If you are changing the bulbs anyway, changing the colour costs almost nothing.

        Residents, they add, often do not know that the choice exists. In the trial town it
        was a letter from a local gardening club that first raised it.
    """,
)

SOURDOUGH = article(
    f"{WIRE}/chemistry/sourdough-starter-smells-explained",
    site="ScienceWire",
    title="Yoghurt, vinegar or nail-polish remover: what your sourdough starter is telling you",
    author="Femi Adeyemi",
    age_days=9,
    image="sourdough.svg",
    caption="A starter at its peak: risen, domed and full of bubbles. Illustration: ScienceWire",
    text="""
        A sourdough starter is a small, crowded ecosystem of wild yeasts and lactic acid
        bacteria living on flour and water, and its smell is a running report on how that
        ecosystem is doing. Learning to read it saves a lot of bakers from throwing away a
        perfectly healthy culture.

        A well-fed starter at its peak smells mild and milky, often with a note of fruit: that
        is mostly lactic acid, the same acid that gives yoghurt its tang. Leave it longer and
        the bacteria produce more acetic acid, and the smell turns towards vinegar.

        ## The acetone alarm

        The smell that frightens people is the sharp, solvent one, rather like nail-polish
        remover. It comes mostly from ethyl acetate, a compound that yeasts produce in larger
        amounts when they are stressed, and the usual stress is hunger. The flour has been used
        up, the culture has become more acidic, and the yeast is running short of food.

        > A starter that smells of acetone is not spoiled. It is asking to be fed.

        The fix is regular meals. Discard most of the starter, feed what is left with fresh
        flour and water, and repeat once or twice a day for a few days. The solvent smell
        fades as the yeast recovers, and the milky, fruity smell comes back.

        What should worry you is not a smell but a sight: fuzzy mould, or pink and orange
        streaks. Those mean unwanted microbes have moved in, and it is time to start again.
        Short of that, starters are remarkably tough, and some bakers keep the same one going
        for decades.
    """,
)

REPLICATION = article(
    f"{WIRE}/research/replication-ten-years-on",
    site="ScienceWire",
    title="Ten years after the replication crisis, how much has psychology changed?",
    author="Rebecca Lund",
    age_days=3,
    image=None,
    caption=None,
    text="""
        A decade ago, a series of large projects tried to repeat dozens of well-known findings
        in psychology, and a troubling share of them did not hold up. Some effects shrank to a
        fraction of their published size; others disappeared altogether. The episode became
        known as the replication crisis, and it spread well beyond psychology.

        Ten years on, the picture is more hopeful than the headlines of the time suggested.
        The field did not just absorb the bad news: it changed the way a large part of its
        research is done.

        ## What changed

        The biggest shift is pre-registration. Researchers write down their hypothesis, their
        sample size and how they will analyse the data before they collect it, and file that
        plan where others can see it. It stops a study from quietly trying ten analyses and
        reporting the one that worked.

        Samples have grown, too, often by pooling the work of many laboratories into a single
        study. And it has become normal, and at many journals required, to publish the data
        and the analysis code so that anyone can check the numbers.

        > Replication used to be a career risk. Now it is a kind of paper people want to write.

        There is still a long way to go. Incentives still reward surprising results, and
        pre-registered studies are still a minority. But researchers who study science itself
        say psychology now looks in some ways healthier than fields that never went through
        the same reckoning.

        For readers who want to know which classic findings survived, two public databases
        now track replication attempts study by study. Both are linked at the end of this
        article.
    """,
)

ASTEROID = article(
    f"{WIRE}/space/asteroid-sample-amino-acids",
    site="ScienceWire",
    title="Asteroid sample is rich in amino acids, ammonia and salts left by ancient water",
    author="Kenji Morita",
    age_days=1,
    image="asteroid.svg",
    caption="The sample capsule came down under its parachute and was opened only in a clean "
    "laboratory. Illustration: ScienceWire",
    text="""
        Grains of rock brought back from a near-Earth asteroid contain a rich mix of organic
        molecules, including amino acids, a good deal of ammonia, and salty minerals of the
        kind left behind when water evaporates. Several of the amino acids are among the
        twenty that living things on Earth use to build proteins.

        The findings, from the first full round of laboratory analysis, support the idea that
        the basic ingredients of life were widespread in the early solar system and could have
        been delivered to the young Earth in large quantities by asteroids and comets.

        ## Why a clean sample matters

        Amino acids have been found in meteorites before, but every meteorite spends time on
        the ground before anyone picks it up, and there has always been a question of how much
        of its chemistry came from Earth. This sample was sealed in space, came down in a
        capsule and was opened only inside nitrogen-filled cabinets.

        The salts are a story of their own. Minerals such as sodium carbonate form when salty
        water evaporates, which suggests the asteroid's parent body once held brine, perhaps in
        pockets beneath its surface, where chemistry could carry on for a long time.

        > This tells us the ingredients were there. It does not tell us how the cake was baked.

        The researchers are clear about the limits. Nothing in the sample is alive or was ever
        alive, and the results say nothing about whether life on Earth began in space. They
        describe a well-stocked pantry, not a recipe.

        Most of the material has been set aside, untouched, for scientists decades from now,
        with instruments that do not yet exist.
    """,
)
