"""Words the workload writes with: names, group topics and Markdown bodies.

Text only needs to look like members wrote it, so that cooked HTML has the size and
shape of real pages (paragraphs, emphasis, links, quotes, lists). Every choice goes
through the caller's ``random.Random`` so a seed always yields the same text.
"""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "ada alan alice amir ana ben bea carl chen clara dan dara eli emma finn fatima gabe "
    "grace hana hugo ines ivan jack jade kai kim lars lena leo lucia maya max nia noah "
    "olga omar pia paul quinn rosa ravi sam sara tariq tess uma viktor vera wes yara zoe"
)
LAST = _words(
    "adams baker brooks chavez cohen diaz ellis evans fischer garcia gupta hall ito "
    "jensen khan kowalski lee lopez moreau murphy nakamura novak okafor olsen patel "
    "quist reyes rossi sato schmidt silva tanaka tran umar vance wagner walsh young zhou"
)

# (name, one-line description); slugs are derived from the names.
GROUPS = (
    ("Science and Skeptics", "Evidence first: new findings, old myths, and how we know."),
    ("Freethinkers of Portland", "Meetups, talks and hikes for secular folk in Portland."),
    ("Philosophy Corner", "Arguments, thought experiments and the books behind them."),
    ("Astronomy Tonight", "What is up in the sky this week and how to see it."),
    ("Book Club", "One book a month, discussed chapter by chapter."),
    ("Humanist Parents", "Raising curious kids without the supernatural."),
    ("Climate Watch", "Papers, policy and what actually works."),
    ("History Buffs", "Primary sources welcome; legends examined."),
    ("Secular Politics", "Church, state and the space between them."),
    ("Music Makers", "Share what you are playing, writing or listening to."),
    ("Gardening Together", "Seeds, soil, pests and harvests."),
    ("Cooking Without Recipes", "Techniques over instructions."),
    ("Tech and Society", "What software does to us, and what we can do about it."),
    ("Running Club", "Training logs, races and sore knees."),
    ("Photography", "Critique, gear talk and weekly themes."),
    ("Language Learners", "Practise with others learning the same language."),
    ("Board Games", "Strategy, reviews and game nights."),
    ("Retirees Network", "Projects, travel and staying sharp."),
    ("Students for Reason", "Campus groups, study help and debate practice."),
    ("Ethics in Medicine", "Consent, trials, end of life and everything between."),
)

WORDS = _words(
    "evidence reason claim study data question answer argument example theory result "
    "people community group meeting talk city week year history science story article "
    "author point idea problem approach method review source paper experiment model "
    "policy change future past world nature life child parent school book chapter "
    "measure sample effect cause doubt belief value moral choice freedom law right "
    "water soil garden river mountain star planet telescope night season weather "
    "music song band record market price cost plan budget project team result"
)
VERBS = _words(
    "shows suggests explains questions changes supports challenges describes ignores "
    "measures predicts reflects reveals assumes proves misses repeats improves"
)
ADJECTIVES = _words(
    "new old surprising careful weak strong clear vague large small recent local "
    "useful strange honest hard simple important common rare early late better"
)
OPENERS = (
    "I think",
    "Honestly,",
    "Good point, but",
    "As far as I can tell,",
    "Interesting —",
    "I am not sure",
    "From what I have read,",
    "Agreed, and",
    "Counterpoint:",
    "In my experience",
)
SITES = (
    "example.org",
    "news.example.com",
    "science.example.net",
    "journal.example.org",
    "blog.example.com",
)


def member_name(rng: random.Random, index: int) -> tuple[str, str]:
    """A unique handle (the index makes it so) and a display name."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first}_{last}{index}", f"{first.title()} {last.title()}"


def slugify(name: str) -> str:
    return "-".join(name.lower().replace("&", "and").split())


def sentence(rng: random.Random, low: int = 6, high: int = 16) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    # A verb and an adjective in most sentences keep the rhythm from reading as a list.
    words.insert(rng.randrange(1, len(words)), rng.choice(VERBS))
    words.insert(rng.randrange(0, len(words)), rng.choice(ADJECTIVES))
    if rng.random() < 0.15:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**" if rng.random() < 0.5 else f"_{words[i]}_"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice("...?!")[0]


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def url(rng: random.Random) -> str:
    path = "-".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
    return f"https://{rng.choice(SITES)}/{rng.randint(2019, 2025)}/{path}"


def title(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(WORDS), rng.choice(VERBS), "the"]
    words += [rng.choice(ADJECTIVES), rng.choice(WORDS)]
    text = " ".join(words)
    return text[0].upper() + text[1:]


def comment_body(rng: random.Random) -> str:
    """Markdown as members write it: mostly a paragraph or two, now and then more."""
    parts = [f"{rng.choice(OPENERS)} {paragraph(rng, rng.randint(1, 3))}"]
    roll = rng.random()
    if roll < 0.10:
        parts.insert(0, "> " + sentence(rng))
    elif roll < 0.18:
        parts.append("\n".join(f"- {sentence(rng, 3, 7)}" for _ in range(rng.randint(2, 4))))
    elif roll < 0.26:
        parts.append(f"See {url(rng)} for more.")
    if rng.random() < 0.3:
        parts.append(paragraph(rng, rng.randint(1, 2)))
    return "\n\n".join(parts)


def discussion_body(rng: random.Random) -> str:
    """The poster's commentary on the article they shared: a few paragraphs."""
    parts = [paragraph(rng, rng.randint(2, 4)) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        parts.insert(1, "> " + sentence(rng, 10, 20))
    return "\n\n".join(parts)
