"""Search: full-text ranking, phrases in the transcript, «» snippets, who may find what,
creators, trending tags and the `#tag` links of descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from chronos_app.core.errors import InvalidInput
from chronos_app.models import Follow, VideoSegment
from chronos_app.schemas.accounts import Actor
from chronos_app.services.search import (
    clean_snippet,
    search_creators,
    search_videos,
    tag_links,
    trending_tags,
)
from tests.factories import (
    creator_row,
    make_creator,
    make_student,
    make_user,
    make_video,
    unique,
    user_row,
)

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def segments(session, video, *texts: str, step: float = 10.0) -> None:
    for i, text in enumerate(texts):
        session.add(VideoSegment(video_id=video.id, segment_index=i, start_seconds=i * step,
                                 end_seconds=i * step + step, text=text))
    session.flush()


@dataclass
class World:
    teacher: Actor
    outsider_school: Actor
    student: Actor
    stranger: Actor


@pytest.fixture
def world(session) -> World:
    teacher = make_creator(session, name="Biology Basics")
    return World(teacher=teacher, outsider_school=make_creator(session),
                 student=make_student(session, teacher), stranger=make_user(session))


def hit_ids(hits) -> list[str]:
    return [h.card.id for h in hits]


# --- videos -------------------------------------------------------------------------------------

def test_title_match_ranks_above_transcript_only_match(session, world):
    spoken = make_video(session, world.teacher, title="Lecture four",
                        published_at=ago(hours=1))
    segments(session, spoken, "Today: mitochondria, mitochondria and more mitochondria.")
    titled = make_video(session, world.teacher, title="Mitochondria explained",
                        published_at=ago(days=20))
    described = make_video(session, world.teacher, title="Cells", published_at=ago(days=2),
                           description="We look at the mitochondria.")
    hits = search_videos(session=session, actor=world.stranger, query="mitochondria")
    assert hit_ids(hits) == [str(titled.id), str(described.id), str(spoken.id)]
    assert hits[0].rank > hits[1].rank >= 1.0 > hits[2].rank > 0
    assert hits[2].at == 0.0 and hits[2].at_label == "0:00"
    assert "«mitochondria»" in hits[2].snippet
    # A title match without a transcript match: snippet from the description, no time.
    assert hits[1].at == -1.0 and hits[1].at_label == ""
    assert hits[1].snippet == "We look at the «mitochondria»."
    assert hits[0].card.title == "Mitochondria explained"


def test_tags_match_like_titles(session, world):
    tagged = make_video(session, world.teacher, title="Week 3", published_at=ago(days=1),
                        tags=["genetics"])
    hits = search_videos(session=session, actor=world.stranger, query="genetics")
    assert hit_ids(hits) == [str(tagged.id)] and hits[0].rank >= 1.0


def test_phrase_query_finds_the_segment_and_its_time(session, world):
    video = make_video(session, world.teacher, title="Organelles", published_at=ago(days=1))
    segments(session, video,
             "Welcome back to the course.",
             "The cell has many parts; the nucleus is one.",
             "The mitochondria is the powerhouse of the cell, as you know.",
             "Power houses are also buildings. The cell phone is another thing.",
             step=12.5)
    other = make_video(session, world.teacher, title="Power", published_at=ago(days=1))
    segments(session, other, "A cell is small. A powerhouse is big.")  # both words, no phrase
    hits = search_videos(session=session, actor=world.stranger,
                         query='"powerhouse of the cell"')
    assert hit_ids(hits) == [str(video.id)]
    hit = hits[0]
    assert hit.at == 25.0 and hit.at_label == "0:25"
    assert hit.snippet.startswith("The mitochondria is the «powerhouse» of the «cell»")
    # Without quotes both videos match.
    loose = search_videos(session=session, actor=world.stranger, query="powerhouse cell")
    assert set(hit_ids(loose)) == {str(video.id), str(other.id)}


def test_snippet_is_plain_text(session, world):
    video = make_video(session, world.teacher, title="Markup", published_at=ago(days=1))
    segments(session, video, 'He said «hi» and wrote <b>bold</b> <script>x</script> enzyme.')
    hits = search_videos(session=session, actor=world.stranger, query="enzyme")
    snippet = hits[0].snippet
    assert "<" not in snippet and ">" not in snippet
    assert snippet.count("«") == 1 and snippet.count("»") == 1
    assert "«enzyme»" in snippet and '"hi"' in snippet
    assert clean_snippet("a <b>«x»</b>\n  b") == "a «x» b"


def test_search_shows_only_watchable_videos(session, world):
    private = make_video(session, world.teacher, title="Secret photosynthesis",
                         published_at=ago(days=1), is_public=False)
    hidden = make_video(session, world.outsider_school, title="Photosynthesis elsewhere",
                        published_at=ago(days=1), is_public=False)
    segments(session, hidden, "photosynthesis in the transcript")
    make_video(session, world.teacher, title="Photosynthesis draft")  # unpublished
    make_video(session, world.teacher, title="Photosynthesis removed", published_at=ago(days=1),
               is_deleted=True)
    closed = make_creator(session)
    make_video(session, closed, title="Photosynthesis closed", published_at=ago(days=1))
    creator_row(session, closed).is_active = False
    public = make_video(session, world.teacher, title="Photosynthesis",
                        published_at=ago(days=2))
    session.flush()
    assert hit_ids(search_videos(session=session, actor=world.stranger,
                                 query="photosynthesis")) == [str(public.id)]
    assert hit_ids(search_videos(session=session, actor=None,
                                 query="photosynthesis")) == [str(public.id)]
    assert set(hit_ids(search_videos(session=session, actor=world.student,
                                     query="photosynthesis"))) == {str(public.id),
                                                                   str(private.id)}
    assert set(hit_ids(search_videos(session=session, actor=world.outsider_school,
                                     query="photosynthesis"))) == {str(public.id),
                                                                   str(hidden.id)}


def test_blank_long_and_stopword_queries(session, world):
    make_video(session, world.teacher, title="The the", published_at=ago(days=1))
    assert search_videos(session=session, actor=world.stranger, query="") == []
    assert search_videos(session=session, actor=world.stranger, query="   ") == []
    assert search_videos(session=session, actor=world.stranger, query="the") == []
    assert search_videos(session=session, actor=world.stranger, query='"" or -') == []
    assert search_videos(session=session, actor=world.stranger, query="x" * 200) == []
    with pytest.raises(InvalidInput):
        search_videos(session=session, actor=world.stranger, query="x" * 201)


def test_websearch_syntax(session, world):
    a = make_video(session, world.teacher, title="Protein folding", published_at=ago(days=1))
    b = make_video(session, world.teacher, title="Protein synthesis", published_at=ago(days=2))
    assert hit_ids(search_videos(session=session, actor=world.stranger,
                                 query="protein -synthesis")) == [str(a.id)]
    assert set(hit_ids(search_videos(session=session, actor=world.stranger,
                                     query="folding or synthesis"))) == {str(a.id), str(b.id)}


def test_search_query_count_is_bounded(session, engine, world):
    for i in range(8):
        video = make_video(session, world.teacher, title=f"Osmosis {i}",
                           published_at=ago(hours=i + 1))
        segments(session, video, "osmosis again", "and osmosis")
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for limit in (2, 8):
            statements.clear()
            assert len(search_videos(session=session, actor=world.stranger, query="osmosis",
                                     limit=limit)) == limit
            assert len(statements) == 3
    finally:
        event.remove(engine, "before_cursor_execute", count)


# --- creators -----------------------------------------------------------------------------------

def test_search_creators_by_username_display_name_and_school(session):
    base = unique("zeb")
    exact = make_creator(session, name="Plain School")
    user = user_row(session, exact)
    user.username, user.display_name, user.avatar_url = base, "Zebra Person", "/a.png"
    prefix = make_creator(session, name=f"{base.capitalize()} Academy")
    contains = make_creator(session, name="Other")
    user_row(session, contains).display_name = f"The {base} fan"
    inactive = make_creator(session, name=f"{base} closed")
    creator_row(session, inactive).is_active = False
    make_creator(session, name="Unrelated")
    fan = make_user(session)
    session.add(Follow(follower_id=fan.user_id, following_id=exact.user_id))
    session.flush()

    hits = search_creators(session=session, actor=None, query=base.upper())
    assert [h.username for h in hits] == [base, prefix.username, contains.username]
    assert hits[0].display_name == "Zebra Person" and hits[0].followers == 1
    assert hits[0].school_name == "Plain School" and hits[0].avatar_url == "/a.png"
    assert hits[1].display_name == prefix.username  # no display name: the username
    assert [h.username for h in search_creators(session=session, actor=None,
                                                query=f"@{base}")][0] == base
    assert search_creators(session=session, actor=None, query=" ") == []
    with pytest.raises(InvalidInput):
        search_creators(session=session, actor=None, query="x" * 201)


def test_search_creators_escapes_wildcards(session):
    plain = make_creator(session, name="Percent school")
    odd = make_creator(session, name="100% Math_Club")
    assert [h.username for h in search_creators(session=session, actor=None,
                                                query="100%")] == [odd.username]
    assert [h.username for h in search_creators(session=session, actor=None,
                                                query="h_c")] == [odd.username]
    assert search_creators(session=session, actor=None, query="%") == [
        h for h in search_creators(session=session, actor=None, query="100%")]
    assert plain.username not in [h.username for h in search_creators(
        session=session, actor=None, query="%")]
    assert search_creators(session=session, actor=None, query="\\") == []


# --- trending tags ------------------------------------------------------------------------------

def test_trending_tags_count_recent_watchable_videos(session, world):
    make_video(session, world.teacher, published_at=ago(days=1), tags=["Cells", "dna"],
               view_count=5)
    make_video(session, world.teacher, published_at=ago(days=2), tags=["cells", "#DNA"])
    make_video(session, world.teacher, published_at=ago(days=3), tags=["cells", "rna"],
               view_count=100)
    make_video(session, world.teacher, published_at=ago(days=4), tags=["genes"],
               view_count=50)
    make_video(session, world.teacher, published_at=ago(days=30), tags=["old", "old2"])
    make_video(session, world.teacher, published_at=ago(days=1), tags=["secret"],
               is_public=False)
    make_video(session, world.teacher, tags=["draft"])
    tags = trending_tags(session=session, actor=world.stranger)
    assert [(t.tag, t.count) for t in tags] == [("cells", 3), ("dna", 2), ("rna", 1),
                                                ("genes", 1)]
    member = trending_tags(session=session, actor=world.student, days=60, limit=3)
    assert [(t.tag, t.count) for t in member] == [("cells", 3), ("dna", 2), ("rna", 1)]
    assert "secret" in {t.tag for t in trending_tags(session=session, actor=world.student)}
    for days in (0, 366, "x"):
        with pytest.raises(InvalidInput):
            trending_tags(session=session, actor=world.stranger, days=days)


# --- tag links ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, parts", [
    ("", []),
    ("no tags here", [("no tags here", "")]),
    ("#Python", [("#Python", "python")]),
    ("Learn #pandas and #data-cleaning.", [
        ("Learn ", ""), ("#pandas", "pandas"), (" and ", ""),
        ("#data-cleaning", "data-cleaning"), (".", "")]),
    ("(#ml) #scikit_learn, #a1", [
        ("(", ""), ("#ml", "ml"), (") ", ""), ("#scikit_learn", "scikit_learn"), (", ", ""),
        ("#a1", "a1")]),
    ("see page#anchor or https://x.io/docs#intro or https://x.io/#/route",
     [("see page#anchor or https://x.io/docs#intro or https://x.io/#/route", "")]),
    ("we are #1 in issue #42", [("we are #1 in issue #42", "")]),
    ("it&#39;s ##double #tag- end", [("it&#39;s ##double ", ""), ("#tag", "tag"),
                                     ("- end", "")]),
    ("line\n#Über", [("line\n", ""), ("#Über", "über")]),
    ("#" + "x" * 65, [("#" + "x" * 65, "")]),
])
def test_tag_links(text, parts):
    assert tag_links(text) == parts
    assert "".join(t for t, _ in tag_links(text)) == text
