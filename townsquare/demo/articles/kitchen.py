"""Cooking and growing articles Kitchen & Garden shares."""

from __future__ import annotations

from townsquare.demo.spec import article

PANTRY = "https://goodpantry.example"

DRIED_BEANS = article(
    f"{PANTRY}/techniques/dried-beans-without-fuss",
    site="The Good Pantry",
    title="Cook dried beans: cheaper, tastier, and much less work than you think",
    author="Lucia Ferraro",
    age_days=5,
    image="beans.svg",
    caption="A pot of beans, an onion and a bay leaf: most of the work is waiting. "
    "Illustration: The Good Pantry",
    text="""
        A tin of beans is a fine thing to have in the cupboard, but a pot of beans cooked from
        dry is something else: creamy inside, whole outside, and surrounded by a rich, savoury
        cooking liquid that no tin can match. It also costs about a third as much per portion.

        The reason most people never try is the idea that it is a lot of work. It is not. It
        is a lot of waiting, which is different, and most of the waiting happens while you are
        asleep or doing something else.

        ## Soak, simmer, salt

        Soaking overnight is not strictly necessary, but it shortens the cooking and helps the
        beans cook evenly. In the morning, drain them, cover with fresh water by a few fingers
        and add aromatics: half an onion, a bay leaf, a clove of garlic, a spoonful of olive
        oil. Then simmer gently, with the lid ajar, never at a rolling boil.

        Salt is the subject of fierce argument. Salting early gives beans that are seasoned
        all the way through; salting late is more forgiving with older beans, which can stay
        stubbornly firm. Both work. What matters more is tasting a bean every ten minutes once
        they start to soften, and letting them rest in their liquid when they are done.

        > Never pour away the cooking liquid. It is the best soup base you will ever make.

        Cooked beans freeze beautifully in portions, covered in their liquid. A Sunday pot
        becomes a week of quick dinners: beans on toast, soups, stews, a salad with a sharp
        dressing. And once you have tasted the difference, the tins start to look like what
        they are, an emergency supply.
    """,
)

NO_DIG = article(
    "https://allotmentnotes.example/trials/no-dig-two-years",
    site="Allotment Notes",
    title="No-dig, two years on: what our side-by-side trial beds showed",
    author="Gareth Pugh",
    age_days=6,
    image="seedlings.svg",
    caption="Seedlings in a no-dig bed, planted straight into a layer of compost. "
    "Illustration: Allotment Notes",
    text="""
        Two years ago we split our trial plot in half. One half was dug every autumn in the
        traditional way; on the other we never turned the soil at all, but spread a thick
        layer of compost on top each year and planted straight into it. We grew the same crops
        on both and weighed everything we picked.

        The headline result will please anyone with a bad back: the no-dig beds produced
        slightly more, and needed far less weeding. By the second summer, weeding the no-dig
        side took about a quarter of the time it took on the dug side.

        ## Why it works

        Digging brings buried weed seeds up to the light, where they germinate. Leaving the
        soil alone keeps them in the dark, and the compost layer on top smothers what is left.
        The undisturbed soil also holds water better, so the no-dig beds needed watering less
        often in a dry July.

        ## What did not work

        It was not all good news. The first year is expensive: covering a bed in enough compost
        to start takes a great deal of it, and if you do not make your own you have to buy it
        in. And slugs love the cool, damp shelter of a mulched bed. Our no-dig lettuces were
        eaten faster than any others.

        > Start with one bed, not the whole plot, and see how it suits your soil and your slugs.

        Our verdict after two seasons is that no-dig is worth it for most gardeners, but it is
        not magic. Begin small, find a cheap source of compost, and keep a torch by the back
        door for slug patrols.
    """,
)

FRIDGE = article(
    f"{PANTRY}/news/fridge-waste-study",
    site="The Good Pantry",
    title="The back of the fridge is where food goes to die, camera study finds",
    author="Helen Oduya",
    age_days=1,
    image="fridge.svg",
    caption="What the cameras saw: the front shelf is emptied, the back fills up with half "
    "jars. Illustration: The Good Pantry",
    text="""
        Researchers who fitted cameras inside the fridges of forty households, with their
        permission, have found that most of the food people throw away is not leftovers or
        stale bread. It is the things that were pushed to the back of the fridge and forgotten:
        half-used jars, bunches of herbs, the other half of an onion.

        Over a month, the cameras recorded every time the door opened and what moved. Food at
        the front and at eye level was eaten; food behind it, out of sight, tended to stay
        there until it had to be thrown away.

        ## Out of sight, out of mind

        The pattern held across households of every size and income. Families who shopped
        more often wasted less, not because they bought less, but because their fridges were
        emptier and they could see what was in them.

        The researchers suggest three simple habits. Keep a "use first" shelf at eye level for
        anything opened or nearly out of date. Store leftovers in clear containers. And take a
        quick look in the fridge before going shopping, rather than relying on memory.

        > Almost nobody throws food away on purpose. They throw it away because they forgot it
        was there.

        Households who tried the habits for the last week of the study threw away about a
        third less food. Several said the biggest surprise was finding duplicates: two open jars
        of the same mustard, or three of the same chutney.
    """,
)
