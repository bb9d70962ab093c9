"""The division's likely duplicate learners: near-duplicate pairs across a whole division.

The enrolment warns about one new record at a time (``services.near_duplicates``); this report
finds every pair of a division's learners that the same rule calls near duplicates, ranked by
score, for the focal person to merge (``services.merge_learners`` through the merge screen).

Comparing every learner with every other would be 200 million pairs in a division of 20,000.
Instead learners are grouped by ``services.blocking_keys`` (a name part with a piece of the
other, both phonetic keys, the birthdate), and only learners sharing a key are scored, each pair
once, first against a cheap upper bound of the rule, then by the rule itself.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import get_language

from organisation.models import Division
from organisation.scope import scope_for

from . import services
from .models import Learner


@dataclass(frozen=True)
class Pair:
    """Two records that are likely one person; ``first`` was registered first (it prevails)."""

    first: Learner
    second: Learner
    score: float
    reasons: list


def divisions_for(user):
    """The divisions whose duplicates the user may review and merge (the merge's oversight scope:
    the focal person's division, the system administrator's region)."""
    scope = scope_for(user, services.OVERSIGHT_ROLES)
    divisions = Division.objects.order_by("name")
    return divisions if scope.is_global else divisions.filter(pk__in=scope.division_ids)


def find_pairs(learners):
    """Every near-duplicate pair among ``learners``, best first (blocking, then the rule)."""
    learners = sorted(learners, key=lambda lr: (lr.created_at is None, lr.created_at, lr.pk))
    blocks = defaultdict(list)
    for index, learner in enumerate(learners):
        for key in services.blocking_keys(learner):
            blocks[key].append(index)
    queries = {}
    similarity = services.remembering_similarity()
    bound = services.remembering_similarity(bound=True)
    seen = set()
    pairs = []
    for members in blocks.values():
        for position, a in enumerate(members):
            for b in members[position + 1 :]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                for index in (a, b):
                    if index not in queries:
                        queries[index] = services.name_query(learners[index])
                pair = (learners[a], learners[b], queries[a], queries[b])
                # The cheap upper bound first: most pairs sharing a key are plainly not alike.
                if not services.pair_score(*pair, bound).is_near_duplicate:
                    continue
                match = services.pair_score(*pair, similarity)
                if match.is_near_duplicate:
                    pairs.append(Pair(learners[a], learners[b], match.score, match.reasons))
    pairs.sort(key=lambda p: (-p.score, p.first.search_last, p.first.lrn, p.second.lrn))
    return pairs


CACHE_SECONDS = 600


def division_pairs(user, division):
    """The likely duplicates among the learners the division holds now, for a user who oversees
    it (``divisions_for``; None otherwise); nothing is read of the records but names, sex and
    birthdates.

    Finding them takes seconds in a large division, so the pairs (ids, scores and reasons only)
    are kept in the cache for CACHE_SECONDS, under the division's number of learners and latest
    change: any new, changed or merged record computes them again."""
    if not divisions_for(user).filter(pk=division.pk).exists():
        return None
    learners = Learner.objects.filter(division=division)
    state = learners.aggregate(count=Count("pk"), changed=Max("updated_at"))
    key = "learners.duplicates:{}:{}:{}:{}".format(
        division.pk,
        state["count"],
        state["changed"].timestamp() if state["changed"] else 0,
        get_language(),
    )
    found = cache.get(key)
    if found is None:
        pairs = find_pairs(learners.only(*services.SEARCH_COLUMNS))
        found = [(p.first.pk, p.second.pk, p.score, [str(r) for r in p.reasons]) for p in pairs]
        cache.set(key, found, CACHE_SECONDS)
    return LazyPairs(found)


class LazyPairs:
    """Cached pairs that load their learners a page at a time (a Paginator's object list)."""

    def __init__(self, found):
        self.found = found

    def __len__(self):
        return len(self.found)

    def __getitem__(self, index):
        rows = self.found[index] if isinstance(index, slice) else [self.found[index]]
        ids = {pk for row in rows for pk in row[:2]}
        learners = Learner.objects.only(*services.SEARCH_COLUMNS).in_bulk(ids)
        pairs = [
            Pair(learners[a], learners[b], score, reasons)
            for a, b, score, reasons in rows
            if a in learners and b in learners
        ]
        return pairs if isinstance(index, slice) else pairs[0]
