"""The words of the published demo items (`cms.published_demo`): their catalogue metadata and the
pages of their PDFs.

Every person, learner and figure here is invented for the demonstration, and each PDF says so in
its footer; the places, programs, learning strands, tests and forms are the real ones of ALS in
the Cordillera (../shared/DOMAIN.md). Vocabulary terms are given by code (repository.vocabularies).
A page is (heading, [paragraph, ...]); a paragraph starting with "- " is a list item.
"""

GOVERNMENT_WORK = "No copyright: work of the Government of the Philippines (RA 8293 s. 176)"

LEARNING_RESOURCES = [
    {
        "submitter": "teacher.benguet",
        "cover": 0,
        "file_name": "highland-harvest-math-module.pdf",
        "data": {
            "title": "Highland Harvest Math: Ratios and Proportions at the Trading Post",
            "summary": (
                "A self-learning module for A&E Elementary learners on ratios, proportions and "
                "unit prices, built around the vegetable trading post of La Trinidad, Benguet: "
                "learners compare prices per kilo, scale a recipe for more people and check a "
                "trader's weighing."
            ),
            "authors": "Grace Dalisdis, Ronaldo Pacalso",
            "keywords": "ratio, proportion, unit price, vegetables, trading post",
            "languages": ["english"],
            "school_year": "2025-2026",
            "learning_strands": ["ls3"],
            "program": "ae-elementary",
            "curriculum_level": "advanced-elementary",
            "material_type": "print",
            "resource_type": "module",
            "education_type": "als",
            "intended_users": ["learners", "als-teachers"],
            "content_topic": "Ratio, proportion and unit price",
            "competencies": "Solves problems involving ratio and proportion in buying and selling.",
            "objectives": (
                "Write ratios from real prices; solve proportions to find an unknown quantity; "
                "choose the better buy by comparing unit prices."
            ),
            "developer": "ALS teachers of La Trinidad district, SDO Benguet",
            "copyright": GOVERNMENT_WORK,
            "copyright_owner": "Department of Education",
        },
        "pages": [
            (
                "What this module is about",
                [
                    "Every morning, trucks of cabbage, carrots, potatoes and lettuce arrive at the "
                    "trading post in La Trinidad. Farmers, traders and buyers agree on prices by "
                    "the kilo, by the sack and by the crate. In this module you will use ratios "
                    "and proportions to make these decisions quickly and fairly.",
                    "Work through one lesson at a time. Write your answers in your notebook and "
                    "check them with your ALS teacher at your Community Learning Center (CLC).",
                ],
            ),
            (
                "Lesson 1: Ratios at the trading post",
                [
                    "A ratio compares two quantities. If a 20-kilo sack of carrots costs 600 pesos, "
                    "the ratio of pesos to kilos is 600 : 20, or 30 : 1. The carrots cost 30 pesos "
                    "per kilo. This is the unit price.",
                    "- A crate of 25 kilos of cabbage sells for 450 pesos. What is the price per kilo?",
                    "- Potatoes are 1,050 pesos for a 30-kilo sack. What is the price per kilo?",
                    "- Which is cheaper per kilo, the cabbage or the potatoes?",
                ],
            ),
            (
                "Lesson 2: Proportions in the kitchen",
                [
                    "A proportion says that two ratios are equal. Aling Rosa's chop suey for 4 "
                    "persons uses 1/2 kilo of cabbage and 1/4 kilo of carrots. For a barangay "
                    "meeting of 20 persons she needs 5 times as much: 2 1/2 kilos of cabbage and "
                    "1 1/4 kilos of carrots.",
                    "- How much cabbage is needed for 12 persons?",
                    "- A trader's scale shows 9 kilos for a sack sold as 10 kilos. By how many "
                    "pesos is the buyer short if carrots cost 30 pesos per kilo?",
                ],
            ),
            (
                "Assessment",
                [
                    "Answer the following. Show your solution.",
                    "- Lettuce: 3 kilos for 210 pesos, or 5 kilos for 325 pesos. Which is the "
                    "better buy? Explain.",
                    "- A family uses 6 kilos of rice in 4 days. How many kilos do they need for "
                    "30 days?",
                    "- Write a word problem of your own about the trading post and solve it.",
                ],
            ),
        ],
        # A second public file, listed under "Other files" on the item page.
        "supporting": (
            "answer-key.pdf",
            "Answer key",
            [
                "Lesson 1: 18 pesos; 35 pesos; the cabbage.",
                "Lesson 2: 1 1/2 kilos; 30 pesos.",
                "Assessment: 5 kilos for 325 pesos (65 pesos per kilo); 45 kilos.",
            ],
        ),
    },
    {
        "submitter": "teacher.ifugao",
        "cover": 1,
        "file_name": "terraces-ecosystem-activity-sheet.pdf",
        "data": {
            "title": "Water, Soil and the Rice Terraces: A Learning Activity Sheet on Ecosystems",
            "summary": (
                "Learners trace how water travels from the muyong (family forest) through the "
                "rice terraces of Ifugao, name the living and non-living parts of the terrace "
                "ecosystem, and propose what their barangay can do against erosion."
            ),
            "authors": "Imelda Dulnuan, Joel Bahatan",
            "keywords": "ecosystem, rice terraces, muyong, erosion, water cycle",
            "languages": ["english"],
            "school_year": "2025-2026",
            "learning_strands": ["ls2"],
            "program": "ae-secondary",
            "curriculum_level": "junior-high-school",
            "material_type": "print",
            "resource_type": "learning-activity-sheet",
            "education_type": "als",
            "intended_users": ["learners", "als-teachers"],
            "content_topic": "Ecosystems and the water cycle",
            "competencies": (
                "Explains the interactions of living and non-living things in a local ecosystem."
            ),
            "objectives": (
                "Describe the path of water through the terraces; classify producers, consumers "
                "and decomposers; suggest community actions that prevent erosion."
            ),
            "developer": "ALS teachers of Lagawe district, SDO Ifugao",
            "copyright": GOVERNMENT_WORK,
            "copyright_owner": "Department of Education",
        },
        "pages": [
            (
                "The terraces as an ecosystem",
                [
                    "The rice terraces are not only fields. Above them stands the muyong, the "
                    "family-owned forest that holds rainwater in its soil and releases it slowly "
                    "into the canals. The water flows from one terrace down to the next, carrying "
                    "nutrients for the rice, the snails, the fish and the azolla that live there.",
                ],
            ),
            (
                "Activity 1: Follow the water",
                [
                    "Draw the path of one drop of rain from the muyong to the river below your "
                    "barangay. Label the forest, the canal, three terraces and the river.",
                    "- Where does the water slow down? Why is that important?",
                    "- What would happen to the terraces if the muyong were cut down?",
                ],
            ),
            (
                "Activity 2: Who lives in the terrace?",
                [
                    "Sort these into producers, consumers and decomposers: rice, azolla, golden "
                    "apple snail, mudfish, dragonfly, earthworm, bacteria in the mud.",
                    "- Choose one food chain from the list and draw it with arrows.",
                ],
            ),
            (
                "Activity 3: What can the barangay do?",
                [
                    "Interview an elder or a farmer about a terrace wall that collapsed. Write "
                    "down what caused it and how the community repaired it. Then write three "
                    "actions your barangay can take to prevent erosion, and share them with your "
                    "learning group at the CLC.",
                ],
            ),
        ],
    },
    {
        "submitter": "teacher.abra",
        "cover": 2,
        "file_name": "basahin-natin-reading-material.pdf",
        "data": {
            "title": "Basahin Natin: Reading Notices and Signs in the Barangay",
            "summary": (
                "Short reading passages in Filipino for Basic Literacy Program learners in Abra: "
                "a barangay health notice, a jeepney route sign and a medicine label, each with "
                "questions that check understanding and facilitator's notes in English."
            ),
            "authors": "Marites Bersamin",
            "keywords": "reading, notices, signs, functional literacy, Filipino",
            "languages": ["filipino", "english"],
            "school_year": "2024-2025",
            "learning_strands": ["ls1-filipino"],
            "program": "blp",
            "curriculum_level": "basic-literacy",
            "material_type": "print",
            "resource_type": "reading-material",
            "education_type": "als",
            "intended_users": ["learners", "als-teachers"],
            "content_topic": "Reading everyday texts",
            "competencies": "Reads and understands short everyday texts such as notices and labels.",
            "objectives": (
                "Read a short notice aloud; find the what, when and where in it; follow simple "
                "written directions."
            ),
            "developer": "ALS teacher of Bangued I district, SDO Abra",
            "copyright": GOVERNMENT_WORK,
            "copyright_owner": "Department of Education",
        },
        "pages": [
            (
                "Facilitator's notes",
                [
                    "Read each passage aloud first, then with the learners, then let each learner "
                    "read it alone. Point to the words as you read. Ask the questions orally "
                    "before asking learners to write the answers.",
                ],
            ),
            (
                "Basahin 1: Paunawa mula sa Barangay",
                [
                    "PAUNAWA: Libreng bakuna para sa mga bata sa Sabado, alas-8 ng umaga, sa "
                    "Barangay Health Station. Dalhin ang baby book ng bata.",
                    "- Ano ang libre?",
                    "- Kailan at saan ito gagawin?",
                    "- Ano ang dapat dalhin?",
                ],
            ),
            (
                "Basahin 2: Karatula ng Jeep",
                [
                    "BANGUED - PIDIGAN. Pamasahe: 20 piso. Ang huling biyahe ay alas-6 ng gabi.",
                    "- Saan papunta ang jeep?",
                    "- Magkano ang pamasahe?",
                    "- Anong oras ang huling biyahe?",
                ],
            ),
            (
                "Basahin 3: Etiketa ng Gamot",
                [
                    "Paracetamol 500 mg. Isang tableta tuwing apat na oras kung may lagnat. "
                    "Huwag lalampas sa walong tableta sa isang araw.",
                    "- Kailan iinumin ang gamot?",
                    "- Ilang tableta ang pinakamarami sa isang araw?",
                ],
            ),
        ],
    },
    {
        "submitter": "teacher.mountain-province",
        "cover": 3,
        "file_name": "pricing-what-you-make-session-guide.pdf",
        "data": {
            "title": "Pricing What You Make: Costing for a Small Home Business",
            "summary": (
                "A session guide for ALS Senior High School facilitators in Mountain Province: "
                "learners who weave, bake or make rice wine at home list their costs, set a "
                "price that covers materials and labor, and keep a simple sales record."
            ),
            "authors": "Agnes Fag-ayan, Peter Langbis",
            "keywords": "entrepreneurship, costing, pricing, livelihood, record keeping",
            "languages": ["english", "filipino"],
            "school_year": "2025-2026",
            "learning_strands": ["ls4"],
            "program": "als-shs",
            "curriculum_level": "senior-high-school",
            "material_type": "print",
            "resource_type": "session-guide",
            "education_type": "als",
            "intended_users": ["als-teachers", "community-partners"],
            "content_topic": "Costing and pricing for a small business",
            "competencies": "Computes the cost and selling price of a product made at home.",
            "objectives": (
                "List material and labor costs; compute cost per piece; set a price with a "
                "margin; record daily sales."
            ),
            "developer": "ALS teachers of Bontoc district, SDO Mountain Province",
            "copyright": GOVERNMENT_WORK,
            "copyright_owner": "Department of Education",
        },
        "pages": [
            (
                "Session overview (2 hours)",
                [
                    "Many ALS learners already earn from what they make: woven bags, banana "
                    "bread, rice wine, brooms. This session helps them find out whether they "
                    "really earn, and what price to ask.",
                    "- Materials: manila paper, markers, calculators or mobile phones.",
                    "- Group the learners by product (weaving, food, crafts).",
                ],
            ),
            (
                "Activity 1: What does one piece cost?",
                [
                    "Example: a weaver buys thread for 600 pesos and makes 4 bags in 5 days. "
                    "Thread per bag: 150 pesos. If she values her work at 400 pesos a day, the "
                    "labor per bag is 500 pesos. Cost per bag: 650 pesos.",
                    "Ang tanong: magkano ang tamang presyo para kumita? (What price lets her earn?)",
                ],
            ),
            (
                "Activity 2: Setting the price",
                [
                    "Add a margin of 20 to 30 percent to the cost. Compare with the prices in "
                    "the Bontoc market. Discuss: what if buyers will not pay that price?",
                    "- Each group presents its product, its cost per piece and its price.",
                ],
            ),
            (
                "Activity 3: A simple sales record",
                [
                    "Learners copy a sales record with the columns: date, product, pieces sold, "
                    "price, total. They keep it for two weeks and bring it to the next session.",
                ],
            ),
        ],
    },
]

RESEARCH = [
    {
        "submitter": "epsa.benguet",
        "cover": 4,
        "file_name": "reading-circles-action-research.pdf",
        "data": {
            "title": (
                "Mother Tongue Reading Circles and the Reading Scores of Basic Literacy Learners "
                "in Benguet"
            ),
            "summary": (
                "An action research in two Community Learning Centers of Benguet: Basic Literacy "
                "Program learners met in weekly reading circles for ten weeks, and their "
                "Functional Literacy Test reading scores were compared before and after."
            ),
            "authors": "Lourdes Tadeo, Samuel Bangsoy",
            "keywords": "action research, basic literacy, reading circles, mother tongue, FLT",
            "languages": ["english"],
            "school_year": "2024-2025",
            "research_type": "action-research",
            "adviser": "Dr. Victoria Balag-ey",
            "year_completed": 2025,
        },
        "pages": [
            (
                "Abstract",
                [
                    "Learners of the Basic Literacy Program (BLP) often stop attending before "
                    "they read with confidence. This study tried weekly reading circles in the "
                    "learners' mother tongue in two CLCs of Benguet and compared Functional "
                    "Literacy Test (FLT) reading scores before and after ten weeks.",
                ],
            ),
            (
                "Method",
                [
                    "- Participants: 24 BLP learners, aged 17 to 52, in two CLCs.",
                    "- Intervention: one 90-minute reading circle a week; stories and notices "
                    "read aloud in the mother tongue, then in Filipino.",
                    "- Measure: FLT reading score (out of 24) at enrolment and after ten weeks; "
                    "attendance from the CLC's records.",
                ],
            ),
            (
                "Results (illustrative figures)",
                [
                    "The mean FLT reading score rose from 9.8 to 14.6. Twenty of the 24 learners "
                    "attended at least eight of the ten circles. Learners said that reading first "
                    "in their own language made them less afraid to read aloud.",
                ],
            ),
            (
                "Recommendations",
                [
                    "- Hold reading circles in every BLP class of the division.",
                    "- Build a small library of local stories in the mother tongues.",
                    "- Record FLT scores in AF3 on time so that progress can be followed.",
                ],
            ),
        ],
    },
    {
        "submitter": "als.region",
        "cover": 5,
        "file_name": "tracer-study-ae-passers.pdf",
        "data": {
            "title": "Where Are They Now? A Tracer Study of A&E Test Passers in the Cordillera",
            "summary": (
                "The regional office traced learners of the eight divisions of CAR who passed "
                "the Accreditation and Equivalency (A&E) test, to learn whether they continued "
                "their studies, found work or started a livelihood, and what helped them."
            ),
            "authors": "CLMD ALS Team, DepEd CAR",
            "keywords": "tracer study, A&E test, completers, employment, further studies",
            "languages": ["english"],
            "school_year": "2025-2026",
            "research_type": "tracer-study",
            "adviser": "Dr. Ramon Gayao",
            "year_completed": 2025,
        },
        "pages": [
            (
                "Purpose",
                [
                    "Passing the A&E test (a rating of 60 percent or more) certifies completion "
                    "of elementary or junior high school. This study asks what A&E passers did "
                    "next, and what the ALS program could do better to prepare them.",
                ],
            ),
            (
                "How the study was done",
                [
                    "- Lists of registrants (AF4) and test results came from the division testing "
                    "coordinators.",
                    "- ALS teachers reached passers by phone, text and home visits.",
                    "- A short questionnaire asked about studies, work, income and the "
                    "micro-certificates they received.",
                ],
            ),
            (
                "Findings (illustrative figures)",
                [
                    "Of the passers reached, about half enrolled in senior high school or in ALS "
                    "Senior High School, one in five found work, and one in ten took a skills "
                    "course. Passers from mobile and makeshift CLCs (types 5 and 1) were the "
                    "hardest to reach and the least likely to continue studying.",
                ],
            ),
            (
                "Recommendations",
                [
                    "- Link passers with senior high schools before the test results are out.",
                    "- Give life skills micro-certificates that employers recognise.",
                    "- Keep passers' contact details current in the learner registry.",
                ],
            ),
        ],
    },
]

SUCCESS_STORIES = [
    {
        "submitter": "teacher.kalinga",
        "cover": 6,
        "file_name": "coffee-farm-to-senior-high-story.pdf",
        "data": {
            "title": "From the Coffee Farm to Senior High School",
            "summary": (
                "Jomar left school in Grade 6 to help on his family's coffee farm in Tanudan, "
                "Kalinga. At 19 he enrolled in ALS, studied between harvests and passed the A&E "
                "test for junior high school. He is now in Grade 11."
            ),
            "authors": "Ruth Dao-ayen, ALS teacher, Tanudan district",
            "keywords": "success story, A&E, coffee farming, senior high school",
            "languages": ["english"],
            "school_year": "2025-2026",
            "learner_featured": "Jomar A.",
            "learner_named_or_pictured": True,
        },
        "pages": [
            (
                "Between harvests",
                [
                    "During the coffee harvest Jomar picked cherries from dawn until noon. In the "
                    "afternoons he walked to the CLC with his modules in a plastic bag, because "
                    "the rain in Tanudan does not wait for anyone.",
                    "His ALS teacher adjusted the schedule to the harvest and gave him modules to "
                    "take home when the farm needed him for whole weeks.",
                ],
            ),
            (
                "The test",
                [
                    "He took the A&E test for junior high school with eleven other learners of his "
                    'district. "I was most afraid of mathematics," he said, "but I had been '
                    'weighing and selling coffee all my life." He passed.',
                ],
            ),
            (
                "Now",
                [
                    "Jomar is in Grade 11, still helps on the farm on weekends, and wants to "
                    "study agriculture. His younger sister enrolled in ALS this year.",
                    "This story is published with Jomar's written consent.",
                ],
            ),
        ],
    },
    {
        "submitter": "teacher.apayao",
        "cover": 7,
        "file_name": "reading-with-my-children-story.pdf",
        "data": {
            "title": "Reading with My Children: A Mother's Second Chance",
            "summary": (
                "Lorna, a mother of three in Luna, Apayao, joined the Basic Literacy Program so "
                "that she could help her children with their homework. A year later she reads "
                "the barangay notices aloud to her neighbours."
            ),
            "authors": "Helen Agsalud, ALS teacher, Luna district",
            "keywords": "success story, basic literacy, parents, reading",
            "languages": ["english", "filipino"],
            "school_year": "2024-2025",
            "learner_featured": "Lorna B.",
            "learner_named_or_pictured": True,
        },
        "pages": [
            (
                "Why she enrolled",
                [
                    "Lorna stopped school in Grade 2. When her eldest started school, she could "
                    'not read the notes the teacher sent home. "Nahihiya ako," she said: she '
                    "was ashamed. A neighbour told her about the ALS class at the barangay hall.",
                ],
            ),
            (
                "Learning together",
                [
                    "Her ALS teacher used the family's own papers as reading material: the baby "
                    "book, the electricity bill, the children's report cards. Lorna practised "
                    "every night with her children, who corrected her and were corrected in turn.",
                ],
            ),
            (
                "A year later",
                [
                    "Lorna's Functional Literacy Test reading score doubled. She now reads the "
                    "barangay notices aloud at the health station, and she has enrolled in A&E "
                    "Elementary.",
                    "This story is published with Lorna's written consent.",
                ],
            ),
        ],
    },
]
