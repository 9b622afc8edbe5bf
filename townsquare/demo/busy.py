"""The busiest discussion: a local argument long enough to need several pages.

A hundred-odd comments are too many to write one by one, so after a few written by hand
the rest are put together from fragments with a seeded Random: each opinion, reason and
sign-off is dealt from a shuffled deck, so they recur a few times, spread apart, the way
the same points come round again in a real argument.
"""

from __future__ import annotations

from random import Random

from townsquare.demo.articles import local as press
from townsquare.demo.people import GROUPS
from townsquare.demo.spec import CommentPlan, DiscussionPlan, ReplyPlan, comment, discussion, reply

TOP_COMMENTS = 116  # enough for three pages at 50 comments a page

OPENERS = (
    "", "", "", "", "", "", "Honestly, ", "For what it's worth, ", "Late to this, but ",
    "I've gone back and forth on this. ", "Counterpoint: ", "I've read the whole thread now. ",
    "Short version: ", "Walked past it again this morning. ", "Not to be that person, but ",
    "I'll just say it: ", "Playing devil's advocate: ", "Slept on it. ",
    "To the people worried about this: ",
)  # fmt: skip

# Each stance has its opinions and the reasons that go with them, so a comment hangs together.
STANCES = {
    "for": (
        (
            "a park there would be the best thing to happen to Foundry Lane in years",
            "the town centre needs somewhere to sit that isn't a café you have to pay for",
            "that car park is half empty on every weekday I've walked past it",
            "trees and benches would do more for the shops than twenty parking spaces",
            "children on the east side have nowhere to kick a ball within ten minutes' walk",
            "we keep saying we want a greener town, and *this* is what that looks like in practice",
            "the tarmac there is an oven by July, and summers aren't getting cooler",
            "towns that did this elsewhere saw more people in the shops, not fewer",
            "a pocket park is exactly the scale of change this town is good at",
            "I would use it every single lunchtime",
            "the lane would finally be somewhere you stop, not somewhere you pass through",
        ),
        (
            "The evidence from other towns seems fairly consistent.",
            "Twenty spaces is not very many when you actually count them.",
            "I counted eleven cars there at noon on Tuesday.",
            "Small spaces are the ones that get used every day.",
            "Shade is going to matter more every year.",
            "Look at what the Alder Street garden did with a scrap of waste ground.",
            "Parking is a real need, just not the only one.",
            "People adapt faster than we expect; they always do.",
            "Change is hard to picture until it has happened.",
            "Nobody has ever regretted planting a tree.",
            "It's a ten-minute walk from the station, which is nothing.",
            "Every town I love has a square where people just sit.",
        ),
    ),
    "against": (
        (
            "the market traders need somewhere to unload on Saturdays",
            "not everyone can walk or cycle in, and the buses don't run late enough yet",
            "I'd want to know where the cars go instead before I cheer",
            "blue badge holders rely on those spaces and the plan barely mentions them",
            "the council struggles to keep the parks we already have tidy",
            "the shops on Foundry Lane are having a hard enough time as it is",
            "I'm not against a park, I'm against doing it before the bus changes have settled in",
            "the cost figure in the Gazette looks suspiciously low to me",
            "a park nobody maintains is worse than a car park",
            "the people who park there every day haven't really been asked",
        ),
        (
            "The last consultation closed before most people had even heard of it.",
            "I'd rather the money went on fixing Mill Row, to be honest.",
            "The drawings look lovely, but drawings always do.",
            "The bins on the lane are overflowing already, so maintenance worries me.",
            "The council has to publish the full costs before anyone can judge.",
            "Plenty of older shoppers can't manage the hill up from the multi-storey.",
            "A few lost customers is a lot for a small shop.",
        ),
    ),
    "between": (
        (
            "keeping the disabled bays and a loading space and greening the rest is the obvious compromise",
            "a one-summer trial with planters and benches would settle this with evidence instead of guesses",
            "the multi-storey on Station Road is *never* more than half full, so there is room for the cars",
            "the design matters more than the yes-or-no: shade, a toilet, somewhere to lock a bike",
            "the consultation should ask people at the car park itself, not just online",
            "whatever happens, please let there be a water fountain",
            "it could take the overflow from the Saturday market, which would keep the traders on side",
            "if it becomes a park, it needs lighting that makes it feel safe after dark",
            "the real question is who looks after it in five years' time",
            "both sides here want a livelier town centre, we just disagree on the route",
        ),
        (
            "Planters are cheap. Regret is expensive.",
            "The traders' association should be in the room for this.",
            "I think we can have both if the plan is careful.",
            "Deliveries happen early in the morning, so they can share the space.",
            "The report lists cheaper options on page six, and nobody seems to have read them.",
            "Evening footfall is what keeps a place feeling safe.",
            "My knees would like a bench halfway up the hill, for the record.",
        ),
    ),
}

SIGN_OFFS = (
    "Just my two pennies.", "Happy to be persuaded otherwise.", "See you at the consultation meeting.",
    "Anyway, that's where I've landed.", "I'll be writing to the council either way.",
    "Good thread, by the way: far more civil than the comments on the Gazette site.",
    "I'd love to hear from the traders themselves.", "Tell me if I've got the numbers wrong.",
    "(And yes, I've filled in the survey.)", "Let's keep it friendly, we all live here.",
    "Interesting to see how opinions have shifted over the thread.",
)  # fmt: skip

AGREEING = ("Fair point.", "Agreed.", "Same here.", "Exactly this.", "Well said.", "Yes!",
            "Good point.", "Thank you for putting it so calmly.")  # fmt: skip
DOUBTING = ("Hmm, I'm not so sure.", "I see it differently.", "Respectfully, no.",
            "I take the point, but still.", "I'm not convinced.")  # fmt: skip
ON_AGREEING = (
    "I hadn't thought about deliveries.", "The trial idea is the sensible one.",
    "The council should read this comment.", "Shade and a water fountain would win me over.",
    "I'd sign a petition for the trial.", "We might be agreeing more than it sounds.",
    "Let's raise it at the meeting.", "", "",
)  # fmt: skip
ON_DOUBTING = (
    "I think more people drive in than we assume.", "Do you have a link for the figures?",
    "The traders I've talked to are split, for what it's worth.",
    "Let's see what the consultation says.", "The lighting matters more than anything else.", "",
)  # fmt: skip

HANDWRITTEN = (
    comment(
        "margaret",
        "I remember when it was the foundry yard, before it was a car park. It was never meant to be tarmac forever. I'm for it, with a proper plan for the market traders.",
        reply("demo", "That's the condition I'd attach too. The traders can't be an afterthought."),
        reply("rosa", "Peg, you remember *everything*. Was there a tree there then?"),
        reply("margaret", "A great big horse chestnut. We used to collect the conkers."),
    ),
    comment(
        "kofi",
        "Strongly for. I cycle past every day and it's mostly empty apart from Saturdays. Give us benches, bike racks and some trees.",
    ),
    comment(
        "marcus",
        "From the bus side: fewer cars turning into Foundry Lane would make the corner by the Crown much safer. I've had some close calls there.",
        reply("kofi", "That corner is terrifying on a bike, too."),
    ),
    comment(
        "tomasz",
        "I'm not against it, but I want to see the maintenance budget. The council's planters on Market Street have been full of crisp packets for a year.",
    ),
)


class _Deck:
    """Deals a tuple's items in shuffled rounds, so each comes back only after all the others."""

    def __init__(self, items: tuple[str, ...], rng: Random) -> None:
        self.items, self.rng, self.hand = items, rng, list[str]()

    def deal(self) -> str:
        if not self.hand:
            self.hand = list(self.items)
            self.rng.shuffle(self.hand)
        return self.hand.pop()


def _sentence(opener: str, opinion: str) -> str:
    text = opener + opinion
    # After an empty opener or a full stop the opinion starts a sentence of its own.
    if not opener or opener.endswith(". "):
        text = opener + opinion[0].upper() + opinion[1:]
    return text + "."


def busy_discussion(rng: Random) -> DiscussionPlan:
    """The Foundry Lane discussion, the same for the same Random."""
    town = next(g for g in GROUPS if g.slug == "lindenfield")
    voices = (town.host, *town.members)
    # Some neighbours have more to say than others.
    weights = [
        4 if name in ("margaret", "kofi", "tomasz", "rosa", "marcus") else 2 for name in voices
    ]
    openers, sign_offs = _Deck(OPENERS, rng), _Deck(SIGN_OFFS, rng)
    opinions = {k: _Deck(ops, rng) for k, (ops, _) in STANCES.items()}
    reasons = {k: _Deck(why, rng) for k, (_, why) in STANCES.items()}
    agreeing, doubting = _Deck(AGREEING, rng), _Deck(DOUBTING, rng)
    on_agreeing, on_doubting = _Deck(ON_AGREEING, rng), _Deck(ON_DOUBTING, rng)

    comments: list[CommentPlan] = list(HANDWRITTEN)
    seen = {c.text for c in comments}
    last = comments[-1].author
    while len(comments) < TOP_COMMENTS:
        author = last
        while author == last:
            author = rng.choices(voices, weights)[0]
        stance = rng.choices(tuple(STANCES), (40, 30, 30))[0]
        shape = rng.random()
        if shape < 0.12:
            # Quoting a point made earlier and backing it, as people do.
            point = _sentence("", opinions[stance].deal())
            text = f"> {point}\n\n{agreeing.deal()} {reasons[stance].deal()}"
        else:
            parts = [_sentence(openers.deal(), opinions[stance].deal())]
            if shape < 0.75:
                parts.append(reasons[stance].deal())
            if rng.random() < 0.3:
                parts.append(sign_offs.deal())
            text = " ".join(parts)
        if text in seen:
            continue
        seen.add(text)

        replies: list[ReplyPlan] = []
        for _ in range(rng.choices((0, 1, 2, 3), (70, 18, 9, 3))[0]):
            who = rng.choice([v for v in voices if v not in (author, *[r.author for r in replies])])
            head, tail = (
                (agreeing.deal(), on_agreeing.deal())
                if rng.random() < 0.6
                else (doubting.deal(), on_doubting.deal())
            )
            said = f"{head} {tail}".strip()
            if all(said != r.text for r in replies):  # two neighbours, two different answers
                replies.append(ReplyPlan(who, said))
        comments.append(CommentPlan(author, text, tuple(replies)))
        last = author

    return discussion(
        "lindenfield",
        "demo",
        "Council plan: turn the Foundry Lane car park into a pocket park?",
        article=press.POCKET_PARK,
        days_ago=25,
        span_days=16,
        body="""
            The Gazette reports that the council is consulting on turning the **Foundry Lane car
            park** (the small one behind the Crown, about twenty spaces) into a pocket park:
            trees, benches, a bit of lawn, bike racks, and a space for the Saturday market to
            spill into.

            The article says the consultation runs for six weeks and that the council's own
            survey found the car park is *less than a third full* on weekdays. Traders on the
            lane are split: some want the footfall, some worry about deliveries and customers
            who drive in.

            I have my own view but I'd like to hear yours first. Keep it neighbourly, please:
            we'll all still be buying bread from each other afterwards.
        """,
        comments=tuple(comments),
    )
