"""Essays the Big Questions Café argues about."""

from __future__ import annotations

from townsquare.demo.spec import article

ESSAYS = "https://thinkingaloud.example"

WATCHER = article(
    f"{ESSAYS}/essays/good-without-a-watcher",
    site="Thinking Aloud",
    title="Good without a watcher",
    author="Ruth Adebayo",
    age_days=3,
    image=None,
    caption=None,
    text="""
        One of the oldest arguments for religion is also one of the most worried: take away
        the god who sees everything, and why would anyone be good? Without someone keeping
        score, the thought goes, there is nothing to stop us from lying, stealing and worse
        whenever we are sure we will not be caught.

        I want to suggest that the argument gets goodness backwards. If the only reason you
        are kind is that someone is watching, you are not kind. You are careful. A person who
        returns a lost wallet only because of the camera above the till has shown prudence,
        not honesty.

        ## What goodness is for

        Most of the time, when people do the right thing, they are not thinking about reward
        or punishment at all. They are responding to another person: someone in pain, someone
        who trusted them, someone who would be hurt. That response is older than any theology,
        and we can see versions of it in children too young to have been taught any.

        Nor does goodness need an audience to be worth something. A kindness nobody ever
        learns about still made one life a little easier. Its value is in the world, not in a
        ledger kept somewhere above it.

        > If you are only kind because of the camera, you are not kind, you are careful.

        None of this means that morality is easy, or that believers are wrong to find strength
        in their faith. It means that the choice we are so often offered, between a watching
        god and chaos, is a false one. The reasons to be good were here all along, in the
        people next to us.
    """,
)

FREE_WILL = article(
    f"{ESSAYS}/essays/free-will-and-blame",
    site="Thinking Aloud",
    title="If free will is an illusion, what changes? Less than you fear",
    author="Daniel Kovacs",
    age_days=2,
    image=None,
    caption=None,
    text="""
        Suppose the hard determinists are right, and every choice you have ever made was the
        product of causes you did not choose: your genes, your upbringing, the mood you woke up
        in, what you had for breakfast. Many people find the idea frightening, as if, once it
        is accepted, nothing could be asked of anyone any more.

        I think far less would change than we fear. We would still lock our doors, because
        locks work whatever caused the burglar. We would still teach our children, because
        teaching is one of the causes that shape what they do. We would still keep dangerous
        people away from others, because safety does not depend on metaphysics.

        ## What would change

        The one thing that would change is blame, or at least one kind of it: the kind that
        says a person deserves to suffer simply because they did wrong, whatever good the
        suffering does. If nobody ultimately authored their own character, that kind of
        desert is hard to defend.

        What is left is a view of punishment aimed forward rather than back: at protecting
        people, at repairing harm and at changing behaviour. Many prison systems that have moved
        in that direction have seen fewer people reoffend.

        > We do not blame a storm. We still build sea walls.

        There is a cost. Praise seems to go the same way as blame, and most of us are not ready
        to stop being proud of what we have made. Perhaps we do not have to. Gratitude and
        admiration survive the loss of ultimate credit, just as caution survives the loss of
        ultimate blame.
    """,
)

FUTURE_PEOPLE = article(
    "https://civicmatters.example/opinion/duties-to-future-people",
    site="Civic Matters",
    title="We owe the people of the year 3000 more than we think",
    author="Isabel Moreno",
    age_days=1,
    image="footbridge.svg",
    caption="We build bridges we will never cross. Illustration: Civic Matters",
    text="""
        The people who will live a thousand years from now cannot vote, protest or write to
        their representatives. They cannot even be named. And yet almost everything we decide
        about energy, debt, soil, water and nuclear waste will shape the world they are born
        into far more than it shapes ours.

        I think we owe them something, and that taking the debt seriously should change how we
        vote and what we ask of the people we vote for.

        ## The philosophers' knot

        The argument is not as simple as it sounds. Philosophers point out that our choices
        determine who will exist at all: a different energy policy means different people
        meeting, and different children being born. So it is strange to say that a particular
        future person was harmed by a choice without which they would never have existed.

        Most people who study the puzzle conclude that it is a puzzle about identity, not a
        reason to stop caring. We can owe the future a decent world without owing it to anyone
        by name, in the same way that someone who plants an orchard owes nothing to any
        particular person who will one day eat its fruit.

        > Every generation lives in a house that others built, and leaves one behind.

        There is also the question of discounting. Economists routinely treat a harm a century
        from now as worth far less than the same harm today. That choice of number can look
        like arithmetic, but it is a moral decision, and it deserves to be argued in the open.

        Institutions can help. A few countries now have commissioners for future generations,
        with the power to question new laws on their behalf. It is a small start.
    """,
)

CHILDREN_AND_DEATH = article(
    "https://familyforum.example/articles/talking-to-children-about-death",
    site="Family Forum",
    title="Talking to children about death, honestly and simply",
    author="Dr Miriam Hale",
    age_days=12,
    image=None,
    caption=None,
    text="""
        Sooner or later, every child meets death: a grandparent, a neighbour, a goldfish, a
        hamster. And sooner or later, every parent is asked a question they have no script
        for. Where did she go? Will you die? Will I?

        Families without religious beliefs sometimes feel they have less to offer at these
        moments. They have more than they think. What children need most is not a story about
        what comes next, but honesty, simplicity and the sense that it is safe to ask.

        ## Be concrete

        Young children understand death better when it is explained in plain physical terms:
        the body stopped working, it does not hurt any more, and it will not start again.
        Avoid phrases such as "went to sleep" or "we lost him". A child told that death is
        sleep may become frightened of going to bed, and one told that Grandpa was lost may
        wonder why nobody is looking for him.

        Let the child's questions set the pace. Answer what is asked, briefly and truthfully,
        and it is fine to say that you do not know. Many children come back to the subject
        again and again over weeks or months; that is how they make sense of it.

        > It is fine to be sad, and fine for children to see that adults are sad too.

        Rituals help, and they do not need to be religious. Planting a tree, making a memory
        box, or telling stories about the person or pet who died gives grief somewhere to go,
        and reminds everyone that what was shared is not taken away.
    """,
)

NEW_STOICS = article(
    f"{ESSAYS}/reviews/the-new-stoics",
    site="Thinking Aloud",
    title="The new Stoics: calm, productive, and missing the point",
    author="Anselm Kaye",
    age_days=1,
    image=None,
    caption=None,
    text="""
        Three new books arrived on my desk this season promising to make me calmer, more
        focused and more successful with the help of philosophers who died two thousand years
        ago. Stoicism is having a moment, and the shelves of airport bookshops show it.

        There is something worth having in all three. The Stoic habit of sorting the world
        into what is in your control and what is not is genuinely useful, and so is the
        practice of imagining losses before they happen, so that you meet them less
        unprepared.

        ## What got lost

        But the Stoicism in these books has been slimmed down to fit a life of productivity
        targets and cold showers. Gone is most of what the ancient Stoics thought mattered
        most: duty to others, justice, and the idea that every human being is a fellow
        citizen of one world.

        Marcus Aurelius, the emperor whose private notebook became the Meditations, spends
        much of it reminding himself to be patient with difficult people, to do his work for
        the common good and not for praise. It is hard to imagine a less self-centred book.

        > Calm that ignores everyone else is not Stoic. It is just comfortable.

        Read the new books for their exercises, by all means. Then read the old ones, which are
        shorter, cheaper and considerably stranger, and notice how much of their attention is
        turned outwards.
    """,
)
