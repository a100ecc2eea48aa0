"""Write the brat test corpus: argumentative essays (.txt) with their annotations (.ann).

Run from the repository root: python tests/data/brat/make_corpus.py. The texts mix LF and CRLF
line breaks, trailing spaces, accents (composed and decomposed), CJK and astral characters, and
two pairs of essays share their first line. Offsets are code points, found from each annotated
phrase.
"""

from pathlib import Path

HERE = Path(__file__).parent

# name: (line break, paragraphs, annotations). An annotation is (type, phrase or phrases,
# stance); two phrases make a discontinuous span.
ESSAYS = {
    "essay01": (
        "\n",
        [
            "Should cities ban cars from their centres?",
            "Every large city now argues about its streets. ",
            "In my view, cities should close their historic centres to private cars, "
            "because the space they take is worth more to people on foot.",
            "A single parked car occupies about twelve square metres of public land.\n"
            "That land could hold a café terrace, a bench or a tree.",
            "Critics say shops will lose customers. Yet studies from Zürich show that "
            "pedestrians spend more per month than drivers do.",
        ],
        [
            ("MajorClaim", "cities should close their historic centres to private cars", None),
            (
                "Premise",
                "A single parked car occupies about twelve square metres of public land",
                None,
            ),
            ("Claim", "pedestrians spend more per month than drivers do", "For"),
            ("Claim", "Critics say shops will lose customers", "Against"),
        ],
    ),
    "essay02": (
        "\r\n",
        [
            "Should cities ban cars from their centres?",
            "I disagree with a ban, and not only for the sake of drivers.  ",
            "Older residents and people with disabilities depend on being driven to the door; "
            "a ban would cut them off from the heart of their own town.",
            "Deliveries matter too.\r\nA bakery needs flour every morning, and no cargo bike "
            "carries two hundred kilos.",
            "A better policy is to price parking fairly and widen pavements step by step.",
        ],
        [
            (
                "MajorClaim",
                "A better policy is to price parking fairly and widen pavements step by step",
                None,
            ),
            ("Claim", "a ban would cut them off from the heart of their own town", "Against"),
            ("Premise", "no cargo bike carries two hundred kilos", None),
            # Discontinuous: refused with a reason, never stored.
            ("Claim", ("Deliveries matter too.", "A bakery needs flour every morning"), "Against"),
        ],
    ),
    "essay03": (
        "\n",
        [
            "Is nuclear power the answer to climate change?",
            "Nuclear plants emit almost no carbon while running, and they run day and night. \t",
            "France built most of its fleet in fifteen years; that pace is the argument.",
            "But new reactors take a decade or more to build, and the cost overruns at "
            "Flamanville and Hinkley Point are notorious. The French call one « le chantier de "
            "l'e\u0301ternite\u0301 » (decomposed accents: NFC would change them).",
            "Wind and solar, by contrast, can be added in months.",
            "Nuclear power should be part of the mix, but it cannot be the whole answer.",
        ],
        [
            (
                "MajorClaim",
                "Nuclear power should be part of the mix, but it cannot be the whole answer",
                None,
            ),
            ("Claim", "Nuclear plants emit almost no carbon while running", "For"),
            ("Claim", "new reactors take a decade or more to build", "Against"),
            ("Premise", "Wind and solar, by contrast, can be added in months", None),
        ],
    ),
    "essay04": (
        "\r\n",
        [
            "Learning a second language at school",
            "Children who learn a second language early read faster in their first one. ",
            "A pupil in Lyon who learns 日本語 meets a script unlike her own, and the effort "
            "itself trains attention.",
            "Some parents fear the timetable is already full; they are right that something "
            "must give.",
            "Even so, schools should start a second language by the age of eight.",
        ],
        [
            ("MajorClaim", "schools should start a second language by the age of eight", None),
            (
                "Claim",
                "Children who learn a second language early read faster in their first one",
                "For",
            ),
            ("Premise", "A pupil in Lyon who learns 日本語 meets a script unlike her own", None),
            ("Claim", "Some parents fear the timetable is already full", "Against"),
        ],
    ),
    "essay05": (
        "\n",
        [
            "Is nuclear power the answer to climate change?",
            "Re\u0301sume\u0301: the question is badly posed: no single technology is the answer. ",
            "Storage is what decides it. 🔋 Batteries now shift solar power into the evening, "
            "and they get cheaper every year.",
            "Storage is what decides it, again, for winter: a week without wind needs more "
            "than batteries.",
            "A naïve faith in any one source — nuclear included — is the real risk.",
        ],
        [
            ("MajorClaim", "no single technology is the answer", None),
            ("Claim", "Batteries now shift solar power into the evening", "For"),
            ("Premise", "a week without wind needs more than batteries", None),
            (
                "Claim",
                "A naïve faith in any one source — nuclear included — is the real risk",
                "Against",
            ),
        ],
    ),
    "essay06": (
        "\n",
        [
            "Homework for young pupils",
            "Homework for pupils under ten does more harm than good.   ",
            "Ten-year-olds in Seoul and in Oslo show no gain from it in tests, and families "
            "with less time at home fall behind.",
            "Reading together is different: twenty minutes a day helps every child.",
            "Schools should replace homework with reading at home.",
        ],
        [
            ("MajorClaim", "Schools should replace homework with reading at home", None),
            ("Claim", "Homework for pupils under ten does more harm than good", "For"),
            ("Premise", "families with less time at home fall behind", None),
            ("Claim", "twenty minutes a day helps every child", "Against"),
        ],
    ),
}


def text_of(newline: str, paragraphs: list[str]) -> str:
    return (newline * 2).join(p.replace("\n", newline) for p in paragraphs) + newline


def write() -> None:
    for name, (newline, paragraphs, annotations) in ESSAYS.items():
        text = text_of(newline, paragraphs)
        lines, notes = [], []
        for n, (kind, phrases, stance) in enumerate(annotations, start=1):
            pieces = (phrases,) if isinstance(phrases, str) else phrases
            spans = []
            for phrase in pieces:
                start = text.index(phrase)
                assert text.count(phrase) == 1 or phrase.startswith("Storage"), phrase
                spans.append((start, start + len(phrase)))
            offsets = ";".join(f"{s} {e}" for s, e in spans)
            words = " ".join(text[s:e] for s, e in spans)
            lines.append(f"T{n}\t{kind} {offsets}\t{words}")
            if stance:
                lines.append(f"A{n}\tStance T{n} {stance}")
            if kind == "MajorClaim":
                notes.append(f"#{n}\tAnnotatorNotes T{n}\tthe essay's thesis")
        (HERE / f"{name}.txt").write_bytes(text.encode("utf-8"))
        (HERE / f"{name}.ann").write_bytes(("\n".join(lines + notes) + "\n").encode("utf-8"))


if __name__ == "__main__":
    write()
