"""The quote component's default lexicons: reporting verbs, and the heads of descriptions of people and groups."""

from __future__ import annotations

# Reporting verbs of news text, as lemmas; a project may replace the list ([quote] cue_lemmas).
DEFAULT_CUE_LEMMAS = tuple(
    "say tell add warn stress vow reveal claim deny insist announce urge state declare explain note argue "
    "accuse confirm report read write assert affirm allege acknowledge admit emphasise emphasize "
    "underline underscore highlight reiterate repeat mention comment remark reply respond answer ask "
    "suggest propose predict promise pledge threaten caution demand maintain contend concede conclude "
    "recall disclose hint complain boast observe testify inform assure remind advise notify tweet point "
    "estimate forecast signal indicate agree protest charge counter retort quip joke shout brief".split()
)

# Heads of descriptions of people and of groups, for rules 4 and 6.
DEFAULT_PERSON_NOUNS = tuple(
    "leader president minister premier spokesman spokeswoman spokesperson official secretary chief "
    "commander general ambassador envoy diplomat king queen prince cleric ayatollah director chairman "
    "chairwoman chair head mayor governor senator lawmaker legislator mp adviser advisor aide negotiator "
    "representative prosecutor judge lawyer attorney officer councillor councilor deputy founder "
    "executive manager counterpart emir sheikh colonel captain man woman".split()
)

DEFAULT_GROUP_NOUNS = tuple(
    "group faction movement organisation organization party militia government ministry army military "
    "coalition alliance council agency company firm administration office embassy parliament court "
    "committee resistance union bank authority federation association department presidency cabinet "
    "regime country state force forces operator corporation board commission network club team league "
    "university school hospital police charity trust institute foundation newspaper broadcaster campaign "
    "organiser organizer service".split()
)
