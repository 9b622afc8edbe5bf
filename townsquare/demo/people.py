"""Who lives in the demo community, and the groups they gather in."""

from __future__ import annotations

from inspect import cleandoc

from townsquare.demo.spec import GroupPlan, Person

# The first member signs up first and so becomes the site admin: the demo log-in.
PEOPLE = (
    Person("demo", "Dana Whitfield", "The demo's site admin and host of Lindenfield Neighbours — log in as me to see what admins and hosts can do. Otherwise: retired sysadmin, dog walker, bike-lane enthusiast."),
    Person("priya", "Priya Raman", "Physics teacher. I will explain the tides to you whether or not you asked. Stargazing when the clouds allow."),
    Person("tomasz", "Tomasz Nowak", "Retired toolmaker. Reads history, fixes bicycles, bakes rye bread on Sundays."),
    Person("ines", "Inês Carvalho", "Night-shift nurse and balcony gardener. Tomatoes are my love language."),
    Person("marcus", "Marcus Bell", "I drive the number 7 bus. Collector of jazz records and of opinions about jazz records."),
    Person("hannah", "Hannah Lindqvist", "Librarian. Currently reading three books at once and finishing none of them."),
    Person("kofi", "Kofi Mensah", "Software developer, year-round cyclist, occasional sourdough casualty."),
    Person("rosa", "Rosa Delgado", "Retired primary-school teacher. I feed everyone. Ask me about beans."),
    Person("sam", "Sam Whitaker", "Philosophy grad student (they/them). Mostly questions, a few answers, far too much coffee."),
    Person("june", "June Park", "Potter and film nerd. I rank everything, soups included."),
    Person("eli", "Eli Brennan", "Emergency physician. Sceptic by training, optimist by temperament."),
    Person("margaret", "Margaret O'Dwyer", "Peg to most. Seventy-one, former union organiser, still organising. Grandmother of four, friend of many."),
    Person("arjun", "Arjun Mehta", "Accountant by day, amateur astronomer by night. Yes, I own too many eyepieces."),
    Person("lena", "Lena Fischer", "Beekeeper, and coordinator of the Alder Street community garden. Will trade honey for seedlings."),
)  # fmt: skip

GROUPS = (
    GroupPlan(
        slug="lindenfield",
        name="Lindenfield Neighbours",
        host="demo",
        description="News, questions and plans for people in and around Lindenfield: the council, the buses, the Saturday market, the lost cats and the found ones.",
        rules=cleandoc("""
            Be the neighbour you would like to have.

            1. **Keep it local.** Things that happen here, or that will soon.
            2. **No one else's details.** No addresses, number plates or photos of people who did not agree to it.
            3. **Councillors are neighbours too.** Criticise decisions as hard as you like; leave people's character out of it.
            4. Selling something? Once a month, in the market thread.
        """),
        members=(
            "margaret",
            "kofi",
            "marcus",
            "rosa",
            "lena",
            "tomasz",
            "ines",
            "june",
            "hannah",
            "eli",
            "priya",
            "arjun",
            "sam",
        ),
        days_ago=47,
    ),
    GroupPlan(
        slug="science-notebook",
        name="Science Notebook",
        host="priya",
        description="Science news explained and argued over by curious non-experts and the occasional expert. Share an article and tell us what caught your eye.",
        rules=cleandoc("""
            1. **Link the source.** The article or the paper, not a screenshot of a headline.
            2. **Say what you think.** A few lines of your own beat a bare link.
            3. **Argue with the idea, not the person.** Nobody is an idiot for asking.
            4. Questions about *your own* health belong with your doctor, not with us.
        """),
        members=("eli", "arjun", "kofi", "tomasz", "ines", "sam", "lena", "demo", "hannah"),
        days_ago=46.5,
    ),
    GroupPlan(
        slug="slow-readers",
        name="The Slow Readers",
        host="hannah",
        description="A book group with no deadlines. Tell us what you are reading, what you gave up on, and what you keep pressing into friends' hands.",
        rules=cleandoc("""
            - Put **spoiler warnings** at the top of a comment that gives away an ending.
            - Every taste is welcome here; nobody's pleasure reading is "trash".
            - Quote a few lines to make a point, not whole chapters.
        """),
        members=("tomasz", "sam", "june", "rosa", "margaret", "priya", "demo", "marcus"),
        days_ago=46,
    ),
    GroupPlan(
        slug="big-questions",
        name="Big Questions Café",
        host="sam",
        description="Philosophy for everyone: ethics, mind, meaning, and how to live well without a rulebook handed down from above. Bring a question; leave with better ones.",
        rules=cleandoc("""
            1. **Steelman first.** Put the other view at its strongest before you answer it.
            2. **Define your terms** when a word is doing a lot of work ("free", "natural", "good").
            3. **No preaching**, in either direction. We are here to think, not to convert.
        """),
        members=("hannah", "eli", "margaret", "priya", "tomasz", "demo", "june", "arjun"),
        days_ago=45.5,
    ),
    GroupPlan(
        slug="kitchen-garden",
        name="Kitchen & Garden",
        host="rosa",
        description="From seed to plate: what is growing, what is cooking and what went wrong. Recipes, gluts, pests and seed swaps.",
        rules=cleandoc("""
            - Recipes in words, please, not just a photo of the finished plate.
            - Say roughly where you garden; advice for a clay valley is no use on a windy balcony.
            - Swaps and giveaways are welcome. Selling is not.
        """),
        members=("lena", "ines", "tomasz", "kofi", "june", "marcus", "margaret", "demo"),
        days_ago=45,
    ),
    GroupPlan(
        slug="reel-and-record",
        name="Reel & Record",
        host="june",
        description="Films, albums, gigs and the odd podcast. Recommend generously, disagree cheerfully.",
        rules=cleandoc("""
            1. Mark spoilers in the first line of your comment.
            2. No links to pirated copies.
            3. "I didn't like it" is a fine opinion. Say *why* and it becomes a conversation.
        """),
        members=("marcus", "kofi", "sam", "hannah", "arjun", "eli", "ines", "demo"),
        days_ago=44.5,
    ),
)
