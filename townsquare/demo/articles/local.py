"""Lindenfield's own news: the Gazette and the library's events page."""

from __future__ import annotations

from townsquare.demo.spec import article

GAZETTE = "https://lindenfield-gazette.example"

ROUTE_7 = article(
    f"{GAZETTE}/transport/route-7-timetable-changes",
    site="The Lindenfield Gazette",
    title="Route 7: more evening buses, no more retail park loop, later Sunday start",
    author="Owen Prichard",
    age_days=1,
    image="bus.svg",
    caption="The number 7 crosses the railway viaduct on its way into town. "
    "Illustration: Lindenfield Gazette",
    text="""
        The number 7, Lindenfield's busiest bus route, gets a new timetable from the first of
        next month, the operator confirmed on Tuesday. Evening buses will run every twenty
        minutes instead of every half hour until eleven at night, and the detour around the
        Eastgate retail park will be dropped.

        The changes follow a year of passenger counts on the route, which runs from the
        hospital through the town centre and over the viaduct to Beacon Hill. They showed
        evening journeys growing steadily, while the retail park loop added around ten minutes
        to each trip for an average of three passengers.

        ## What changes

        From the first of the month, buses will go straight along Station Road instead of
        turning into the retail park; the nearest stop will be on Station Road itself, a
        four-minute walk from the shops. All other stops stay, including the stop by the
        allotments.

        One change is less welcome. The first bus on Sundays moves from 7:40 to 8:10, which
        the operator says reflects low use of the early journey. Staff at the hospital, where
        the early shift begins at eight, say that half an hour makes the difference between
        catching the bus and taking a taxi.

        > We would rather hear about a problem now than after the timetable is printed.

        The operator has opened a four-week consultation on the Sunday timings, and a
        spokesperson said every letter would be read. Comments can be left at the travel
        office on Market Square or sent by post.

        Roadworks on Mill Row, which have caused delays on the route since the spring, are
        expected to continue until the end of the summer.
    """,
)

REPAIR_CAFE = article(
    "https://lindenfield-library.example/events/repair-cafe",
    site="Lindenfield Library",
    title="Repair café: bring it broken, take it home working",
    author=None,
    age_days=3,
    image="repair.svg",
    caption="Lamps, toasters, radios and jumpers: last time 41 things went home mended. "
    "Illustration: Lindenfield Library",
    text="""
        Our volunteer fixers are back in the community room on Saturday, from ten until two.
        Bring along anything small that is broken or worn: lamps, toasters, radios, bicycles
        with sad gears, jumpers with holes, a favourite mug with a loose handle. Repairs are
        free, and tea and biscuits are on the house.

        A repair café is not a repair shop. You sit down with a volunteer and mend the thing
        together, so you go home knowing how it was done, and how to do it next time. Most
        repairs take under half an hour, and our fixers are honest about the ones that cannot
        be saved.

        ## What to bring

        Bring the item, any parts you have, and for electrical things the plug and cable. We
        cannot take anything that runs on gas, large appliances such as washing machines, or
        anything that has to be carried by two people.

        Last time our volunteers saved 41 things from the tip, from a 1962 sewing machine to a
        radio that had been silent for thirty years and only needed one loose wire reconnected.

        ## Volunteers wanted

        We are always looking for more fixers, especially people who are handy with textiles,
        ceramics and bicycles. No qualifications are needed, only patience and the willingness
        to explain what you are doing. Ask at the front desk or leave your name with the
        organisers on the day.
    """,
)

POCKET_PARK = article(
    f"{GAZETTE}/news/foundry-lane-car-park-pocket-park-plan",
    site="The Lindenfield Gazette",
    title="Council asks: should Foundry Lane car park become a pocket park?",
    author="Priti Shah",
    age_days=1,
    image="pocket-park.svg",
    caption="The council's sketch of the pocket park: trees, benches, a lawn and room for "
    "market stalls. Illustration: Lindenfield Gazette",
    text="""
        Lindenfield council has opened a six-week consultation on turning the Foundry Lane car
        park, the small one behind the Crown with about twenty spaces, into a pocket park with
        trees, benches, a patch of lawn and bike racks.

        The plans also leave paved room at the lane end for the Saturday market to spill into,
        which stallholders have asked for since the market outgrew Market Square. The council's
        own survey found the car park less than a third full on weekdays, though busier on
        Saturday mornings.

        ## Shops divided

        Traders on Foundry Lane are split. Some welcome the idea, saying a place to sit would
        bring more people to linger on a lane they now mostly walk through. Others worry about
        where delivery vans will stop and about customers who drive in from the villages,
        particularly older shoppers.

        The council says a loading bay would stay at the top of the lane and two disabled
        parking spaces would be kept. The nearest large car park, on Station Road, is a
        seven-minute walk away and rarely full.

        > A car park is used for an hour. A park is used all day.

        Towns that have made similar changes report mixed but mostly positive results, with
        footfall rising in the shops nearest the new green space. The councillor for the town
        centre said nothing had been decided and that the consultation was genuinely open.

        Responses can be made online or on paper at the library until the end of next month.
        A drop-in session with the designers is planned at the Crown's function room.
    """,
)
