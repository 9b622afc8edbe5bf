"""Big Questions Café: the philosophy group."""

from __future__ import annotations

from townsquare.demo.articles import philosophy as press
from townsquare.demo.spec import comment, discussion, reply

DISCUSSIONS = (
    discussion(
        "big-questions",
        "sam",
        "Can you be good when you don't believe anyone is watching?",
        article=press.WATCHER,
        days_ago=40,
        span_days=6,
        body="""
            A thoughtful essay on an old worry: without a god keeping score, why would anyone be
            good? The author's answer, roughly, is that *being watched* was never a good reason
            to be good in the first place. If you are only kind because of the camera, you are
            not kind, you are careful.

            I mostly agree, but I think the essay skips something. Humans are social animals and
            we *are* always watched, by each other. Reputation, friendship and plain empathy do
            most of the work. The question isn't "god or chaos"; it's which watchers we build
            our lives around.

            Where do your own reasons for being decent come from, when you stop to think?
        """,
        comments=(
            comment(
                "margaret",
                "From my mother, mostly, who was devout, and from the picket line, which was not. Both taught me the same thing: you look after the people next to you.",
                reply("sam", "I love that two very different schools gave you the same lesson."),
                reply(
                    "hannah",
                    "That's what convinces me most: the lesson keeps turning up with or without the theology.",
                ),
            ),
            comment(
                "eli",
                "In the ER nobody is doing the right thing because of a reward later. You do it because the person in front of you is in pain. Empathy is fast; theology is slow.",
            ),
            comment(
                "tomasz",
                "I think about my grandchildren watching, honestly. Not a god, but it works much the same.",
            ),
            comment(
                "priya",
                "There are studies where people behave better with a picture of eyes on the wall. I find that both funny and slightly depressing.",
                reply(
                    "eli", "Those results are wobbly, as it happens. Some of them didn't replicate."
                ),
                reply("priya", "Ha! Even better. We're less easily fooled than we thought."),
            ),
        ),
    ),
    discussion(
        "big-questions",
        "tomasz",
        "Free will: does it matter if it's an illusion?",
        article=press.FREE_WILL,
        days_ago=29,
        span_days=5,
        body="""
            This essay says that even if every choice we make is caused by things we didn't
            choose (genes, upbringing, what we had for breakfast), it would change *less* than
            people fear. We'd still lock the door, still teach our children, still stop
            dangerous people. What would change is **blame**: we'd punish less for revenge and
            more for repair.

            I spent forty years on machines. Everything in a machine has a cause. I never once
            blamed a lathe. But I also never let a broken one keep running.
        """,
        comments=(
            comment(
                "sam",
                "That's basically the compatibilist move with the revenge taken out. I find it persuasive, though I notice that *feeling* blame is very hard to switch off even when I believe it's unjustified.",
                reply("tomasz", "So do I. I still swear at the lathe."),
            ),
            comment(
                "june",
                "If nobody is ultimately to blame, is anybody ultimately to *praise*? I'm not sure I'm ready to give up being proud of a good pot.",
            ),
            comment(
                "eli",
                "Medicine went through this with addiction. Calling it a disease didn't mean people stopped being responsible for recovery. It meant we stopped treating them like villains. Outcomes got better.",
            ),
            comment(
                "arjun",
                "Practical question: does believing in free will make people behave better? I vaguely remember a study saying so.",
                reply("eli", "That's another one that didn't replicate well, I'm afraid."),
                reply("arjun", "This group is ruining all my favourite studies."),
            ),
        ),
    ),
    discussion(
        "big-questions",
        "margaret",
        "Do we owe anything to people who don't exist yet?",
        article=press.FUTURE_PEOPLE,
        days_ago=17,
        body="""
            This opinion piece asks whether we have duties to people who will live a hundred or a
            thousand years from now. The author says yes, and that it should change how we vote.

            I am seventy-one. Nearly everything I organised for was for people I would never
            meet: pensions for workers not yet hired, safety rules for apprentices not yet born.
            It never felt abstract to me.

            But I know the philosophers tie themselves in knots about it. Can someone explain
            the knots?
        """,
        comments=(
            comment(
                "sam",
                """
                The main knot: our choices decide *who* gets born. A different policy, different
                couples meet, different children exist. So it's odd to say a particular future
                person was *harmed* by a choice without which they wouldn't exist at all.

                Most people (me included) conclude that's a puzzle about identity, not a reason to
                stop caring. You can owe the future a decent world without owing it to anyone
                by name.
            """,
                reply(
                    "margaret",
                    "Thank you, that's the clearest version I've read. And I agree with your conclusion, which helps.",
                ),
                reply("hannah", '"Owe the future without owing it to anyone by name." Lovely.'),
            ),
            comment(
                "priya",
                "Every tree planted by someone who won't sit in its shade. The proverb got there before the philosophers.",
            ),
            comment(
                "arjun",
                "Accountants do this every day with discount rates, and the discount rate you choose is a moral decision dressed up as arithmetic.",
            ),
        ),
    ),
    discussion(
        "big-questions",
        "hannah",
        "How do you talk to children about death without religion?",
        article=press.CHILDREN_AND_DEATH,
        days_ago=5,
        body="""
            My niece's hamster died and she asked me where it went. Her parents aren't religious
            and neither am I, and I realised I had no script.

            This article suggests being **honest, simple and concrete**: the body stopped working,
            it doesn't hurt any more, it won't come back, and it's fine to be sad. It warns against
            "went to sleep", which can make children scared of bedtime.

            What I said in the end was that the hamster is gone, but we still have every day we
            spent with it, and nobody can take those away. She seemed satisfied. I cried in the car.
        """,
        comments=(
            comment(
                "margaret",
                "You said exactly the right thing. Children can handle the truth much better than they can handle adults being strange and evasive.",
                reply(
                    "hannah", "Thank you, Peg. That means a lot coming from a grandmother of four."
                ),
            ),
            comment(
                "eli",
                'Professionally: the "went to sleep" warning is real. I\'ve met adults who still remember being frightened by it.',
            ),
            comment(
                "june",
                "We planted a small tree for our old dog. My nephew still waters it and tells it about school. Rituals don't need to be religious to work.",
            ),
            comment(
                "sam",
                "Epicurus: where death is, I am not; where I am, death is not. Not for a seven-year-old, perhaps, but it's comforted me.",
            ),
        ),
    ),
    discussion(
        "big-questions",
        "june",
        "Stoicism is having a moment. Is it any good?",
        article=press.NEW_STOICS,
        days_ago=0.35,
        body="""
            A review of three new self-help books built on Stoic philosophy. The reviewer's
            complaint: modern Stoicism has been slimmed down into *productivity plus cold
            showers*, and the old ethics (duty to others, seeing yourself as a citizen of the
            world) quietly dropped out.

            I've found the "what's in my control, what isn't" exercise genuinely useful. But I
            agree something is lost when it turns into a way to be calm while ignoring everyone
            else.
        """,
        comments=(
            comment(
                "sam",
                "Marcus Aurelius spends half the *Meditations* reminding himself to be patient with other people. Hard to get less self-centred than that, whatever the cover of the new books looks like.",
            ),
            comment(
                "tomasz",
                "The control exercise is good workshop wisdom. You can't fix the delivery being late. You can fix the next job.",
            ),
        ),
    ),
)
