"""Property tests: whatever the text, the extractor neither crashes nor points
outside it."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.extraction import KnownSpeaker, extract

from .test_extraction import assert_spans_valid

# Pieces of news prose, so that generated texts reach the deeper rules.
FRAGMENTS = [
    "said",
    " said ",
    "told reporters",
    "according to",
    "reportedly",
    "is set to",
    "“",
    "”",
    '"',
    "‘",
    "’",
    ",",
    ".",
    ". ",
    ":",
    "\n",
    "\n\n",
    "Q: ",
    "A: ",
    "MAYOR ANA RUIZ: ",
    "Minister Zoë Ørsted",
    "the minister",
    "he added",
    "They",
    " that ",
    " will ",
    "by June",
    "on Tuesday",
    "last year",
    "within six months",
    "14 June 2025",
    "The bridge",
    "officials said",
    "a spokeswoman for the Port Authority",
    "e\u0301",
    "\u0303",
    "\x00",
    "\u2028",
    "\ud83d",
    "🇵🇰",
]

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join),
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40
    ).map("".join),
)
dates = st.one_of(st.none(), st.dates())
speakers = st.lists(
    st.builds(
        KnownSpeaker,
        name=st.text(min_size=1, max_size=20),
        aliases=st.lists(st.text(max_size=15), max_size=3).map(tuple),
        kind=st.sampled_from(["person", "organization"]),
    ),
    max_size=3,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, published=dates, known=speakers)
def test_any_text_gives_valid_proposals(text, published, known):
    for proposal in extract(text, published, known):
        assert_spans_valid(text, proposal)
        assert proposal.attribution in (
            "direct_quote",
            "indirect",
            "narrator",
            "hedged",
        )
        assert proposal.kind in ("fact", "prediction", "promise", "opinion")
        assert proposal.stated_on_precision in ("", "day", "month", "year")
        assert (proposal.stated_on is None) == (proposal.stated_on_precision == "")
        assert (proposal.due_on is None) == (proposal.due_on_precision == "")


@settings(max_examples=100, deadline=None)
@given(text=texts, published=dates)
def test_extraction_is_deterministic(text, published):
    assert extract(text, published) == extract(text, published)
