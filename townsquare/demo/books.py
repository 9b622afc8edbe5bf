"""The Slow Readers: the books group."""

from __future__ import annotations

from townsquare.demo.articles import books as press
from townsquare.demo.spec import comment, discussion, reply

DISCUSSIONS = (
    discussion(
        "slow-readers",
        "hannah",
        "What are you reading at the moment?",
        days_ago=42,
        span_days=25,
        body="""
            The standing thread. What's on your bedside table, what is it like so far, and would
            you recommend it to this lot? Half-finished counts. Abandoned counts double.
        """,
        comments=(
            comment(
                "tomasz",
                "A history of the Hanseatic League, very slowly. Medieval merchants were more organised than my pension fund.",
                reply("margaret", "Everyone is more organised than a pension fund."),
            ),
            comment(
                "sam",
                "Rereading *Frankenstein* and finding it far angrier than I remembered. The creature has every reason to be furious with his maker, and the book knows it.",
                reply(
                    "hannah",
                    "It's such a good book about responsibility. Victor's real crime is walking away.",
                ),
                reply(
                    "june",
                    "I read it at school and only remember the fog. Might be time to go back.",
                ),
            ),
            comment(
                "rosa",
                "A cookbook, cover to cover, like a novel. Don't judge me. The introductions are the best part.",
            ),
            comment(
                "priya",
                "Darwin's *Voyage of the Beagle*. He is so *cheerful*. Seasick for five years and still delighted by every beetle.",
            ),
            comment(
                "marcus",
                "Audiobooks on my breaks. A detective series, eight books in. The narrator does a wonderful gruff inspector.",
                reply("hannah", "Audiobooks count. I'll fight anyone who says they don't."),
            ),
        ),
    ),
    discussion(
        "slow-readers",
        "hannah",
        "Reading Middlemarch together: Books One and Two",
        days_ago=34,
        span_days=8,
        body="""
            As promised, here's the first thread for our slow read of *Middlemarch*. No rush:
            jump in whenever you get here. Spoilers only up to the end of Book Two, please.

            A few things to chew on:

            1. Dorothea marries Casaubon with her eyes wide open and still gets it wrong. Whose
               fault is that?
            2. Eliot keeps stepping out of the story to talk to us directly. Charming or
               annoying?
            3. Who do you like least so far, and has the narrator made you feel bad about it yet?

            My answer to the third is Rosamond, and yes, the narrator has.
        """,
        comments=(
            comment(
                "margaret",
                "On 1: nobody's fault and everybody's. She wanted a life of purpose and the only door open to her was a husband. That's the tragedy and Eliot knew it.",
                reply(
                    "sam",
                    "Yes. It's a book about how much a good person can be wasted by the options on offer.",
                ),
                reply("hannah", '"The options on offer" is the whole novel in four words.'),
            ),
            comment(
                "june",
                "The narrator asides are my favourite part. It feels like watching a film with a very clever friend who keeps pausing it.",
            ),
            comment(
                "tomasz",
                "I like Casaubon least, but I recognise him. Every workshop had one: a great project, never finished, terrified of being found out.",
            ),
            comment(
                "demo",
                "Started on the strength of this thread. Three chapters in and already underlining things, which I haven't done since university.",
            ),
        ),
    ),
    discussion(
        "slow-readers",
        "june",
        "Permission to quit: an essay on abandoning books",
        article=press.QUITTING,
        days_ago=23,
        body="""
            This essay argues that giving up on a book isn't a failure of character, it's a
            **reading skill**, and that the fifty-page rule (give it fifty pages, then decide)
            is kinder than finishing everything out of guilt.

            I used to finish every book I started. Then I did the maths on how many books I have
            left in a lifetime and stopped. I'm happier, and I actually read *more*.

            Do you quit? What was the last one you put down?
        """,
        comments=(
            comment(
                "rosa",
                "I quit constantly and I recommend it. Life is short and the library is large.",
            ),
            comment(
                "sam",
                "My version of the rule: I give it as many pages as my age minus twenty. The older I get the sooner it's allowed to win me over.",
                reply("june", "That is the most mathematically generous rule I've seen."),
                reply("margaret", "By that rule I owe every book fifty-one pages. Fair enough."),
            ),
            comment(
                "priya",
                "I quit a very famous novel at page 300 last year and felt guilty for a week. Then relieved for the rest of the year.",
            ),
            comment(
                "marcus",
                "I never quit an audiobook. I just fall asleep and wake up three chapters later in a different country.",
            ),
        ),
    ),
    discussion(
        "slow-readers",
        "sam",
        "Montaigne for people who think they don't like essays",
        article=press.MONTAIGNE,
        days_ago=10,
        body="""
            A very readable piece on why Montaigne still feels modern. He invented the essay as an
            *attempt*, a try at thinking out loud, not a verdict. He contradicts himself, wanders
            off, comes back, admits he doesn't know.

            > What do I know?

            That was his motto. For a sixteenth-century writer in the middle of religious wars,
            that is a brave thing to put on your medal.

            If you've never read him: don't start at the beginning. Open anywhere. "Of
            cannibals", "Of idleness" and "Of experience" are my favourite doors in.
        """,
        comments=(
            comment(
                "hannah",
                "The library has two translations and people always ask which. I say: the one whose first page you like better. He's a voice, not a plot.",
                reply("sam", "Perfect advice for Montaigne specifically."),
            ),
            comment(
                "tomasz",
                'I read "Of experience" after your recommendation. He complains about his kidney stones for pages and it is somehow wise. Remarkable man.',
            ),
            comment(
                "margaret",
                "Doubt as a motto in wartime. We could use more of that on the front pages.",
            ),
        ),
    ),
    discussion(
        "slow-readers",
        "margaret",
        "Libraries lending tools, seeds and telescopes. Should ours?",
        article=press.LIBRARY_OF_THINGS,
        days_ago=2.5,
        body="""
            This feature is about libraries that now lend out *things* as well as books: drills,
            sewing machines, seeds, cake tins, even telescopes. Members borrow a drill for the
            one afternoon they need it, instead of a drawer full of drills that each get used
            twice.

            I think Lindenfield library should try it. It fits with the repair café, it saves
            money, and it gets people through the door who haven't been in since school.

            What would you want to borrow?
        """,
        comments=(
            comment(
                "hannah",
                "Speaking as someone who works there: we'd love to, we just need somewhere to store it and a few volunteers to check things in and out. A list of what people would borrow would help make the case.",
                reply("margaret", "Then let's build the list right here."),
            ),
            comment(
                "priya",
                "A telescope, please! Lots of people would try astronomy if they didn't have to spend a fortune first.",
            ),
            comment(
                "rosa",
                "Cake tins in odd shapes. Nobody needs a number-seven tin more than once a decade.",
            ),
            comment(
                "tomasz",
                "A proper pipe cutter and a tile cutter. I'll donate mine if someone else does the paperwork.",
            ),
        ),
    ),
)
