"""The tutor's scoped hybrid retrieval: who may ask about what, that nothing leaks across
schools, scopes or embedding models, and the ranking itself (RRF, hybrid vs single modes, exact
vs HNSW). Two small schools with hand-written passages, embedded by the LocalEmbedder."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session

from chronos_app.ai.local_embedder import LocalEmbedder
from chronos_app.core.errors import NotFound
from chronos_app.models import Course, CourseModule, ModuleLesson, Video, VideoChunk
from chronos_app.schemas.accounts import Actor
from chronos_app.services import retrieval, schools
from chronos_app.services.retrieval import Hit, Scope
from tests.factories import make_creator, make_student, make_video

PUBLISHED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
EMBEDDER = LocalEmbedder()

MASKS = [
    "A layer mask hides part of a layer without erasing pixels. Paint black on the mask to hide "
    "and white to reveal what is underneath.",
    "To refine the mask edge, open select and mask, then drag the feather slider until the hair "
    "looks natural against the new background.",
    "Save the finished composite as a layered file so you can change the mask later.",
]
CROP = [
    "Pick the crop tool, drag the handles of the frame and press enter to crop the photo.",
    "Use the straighten option and draw a line along the horizon to level a tilted photo.",
]
DRAFT = ["A gradient blends two colours across the canvas; the gradient editor stores presets."]
DELETED = ["A vignette darkens the corners of a portrait to pull the eye to the face."]
SOURDOUGH = [
    "Feed the sourdough starter with equal weights of flour and water every day until it "
    "doubles in size.",
    "A levain is a portion of starter mixed the night before baking the loaf.",
]
BREAD_PUBLIC = ["Score the loaf with a razor just before it goes into the hot oven."]


def add_chunks(session: Session, video: Video, texts: list[str], *, embedder=EMBEDDER,
               model: str | None = None, first_index: int = 0) -> list[VideoChunk]:
    vectors = embedder.embed(texts)
    rows = [VideoChunk(video_id=video.id, chunk_index=first_index + i, chunk_text=t,
                       embedding=vector, embedding_model=model or embedder.model,
                       start_time_seconds=30.0 * (first_index + i),
                       end_time_seconds=30.0 * (first_index + i) + 29.5,
                       word_count=len(t.split()))
            for i, (t, vector) in enumerate(zip(texts, vectors, strict=True))]
    session.add_all(rows)
    session.flush()
    return rows


def make_course(session: Session, creator: Actor, title: str, videos: list[Video], *,
                published: bool = True, deleted: bool = False) -> Course:
    course = Course(creator_id=creator.creator_id, title=title, is_published=published,
                    published_at=PUBLISHED if published else None, is_deleted=deleted)
    session.add(course)
    session.flush()
    module = CourseModule(course_id=course.id, title="Module")
    session.add(module)
    session.flush()
    session.add_all(ModuleLesson(module_id=module.id, video_id=v.id, lesson_order=i + 1)
                    for i, v in enumerate(videos))
    session.flush()
    return course


@dataclass
class Library:
    owner_a: Actor
    student_a: Actor
    owner_b: Actor
    student_b: Actor
    masks: Video
    crop: Video
    draft: Video          # unpublished, with chunks
    deleted: Video        # published but deleted
    empty: Video          # published, no chunks yet
    sourdough: Video      # school B, published, members only
    bread_public: Video   # school B, published, public
    course_a: Course      # published: masks + draft
    hidden_course_a: Course  # unpublished: crop
    deleted_course_a: Course
    course_b: Course


@pytest.fixture
def lib(session: Session) -> Library:
    owner_a = make_creator(session, name="Pixel Academy")
    owner_b = make_creator(session, name="Bread Lab")
    student_a = make_student(session, owner_a)
    student_b = make_student(session, owner_b)

    def video(owner: Actor, title: str, chunks: list[str], **fields) -> Video:
        fields.setdefault("published_at", PUBLISHED)
        made = make_video(session, owner, title=title, **fields)
        if chunks:
            add_chunks(session, made, chunks)
        return made

    masks = video(owner_a, "Layer masks", MASKS, is_public=False)
    crop = video(owner_a, "Crop and straighten", CROP, is_public=False)
    draft = video(owner_a, "Gradients (draft)", DRAFT, published_at=None)
    deleted = video(owner_a, "Vignettes", DELETED, is_deleted=True)
    empty = video(owner_a, "Coming soon", [])
    sourdough = video(owner_b, "Sourdough basics", SOURDOUGH, is_public=False)
    bread_public = video(owner_b, "Scoring bread", BREAD_PUBLIC, is_public=True)
    return Library(
        owner_a=owner_a, student_a=student_a, owner_b=owner_b, student_b=student_b,
        masks=masks, crop=crop, draft=draft, deleted=deleted, empty=empty,
        sourdough=sourdough, bread_public=bread_public,
        course_a=make_course(session, owner_a, "Compositing", [masks, draft]),
        hidden_course_a=make_course(session, owner_a, "Cropping", [crop], published=False),
        deleted_course_a=make_course(session, owner_a, "Old", [masks], deleted=True),
        course_b=make_course(session, owner_b, "Bread", [sourdough]))


def resolve(session: Session, actor: Actor | None, kind: str, scope_id) -> Scope:
    return retrieval.resolve_scope(session=session, actor=actor, kind=kind,
                                   scope_id=str(scope_id))


def ids(*videos: Video) -> set[str]:
    return {str(v.id) for v in videos}


def search(session: Session, actor: Actor, scope: Scope, query: str, **kw) -> list[Hit]:
    kw.setdefault("embedder", EMBEDDER)
    return retrieval.search(session=session, actor=actor, scope=scope, query=query, **kw)


# --- pure rules -----------------------------------------------------------------------------------

def test_rrf_hand_computed():
    scores = retrieval.rrf([["a", "b", "c"], ["b", "d"]], k=60)
    assert scores == pytest.approx({"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 63,
                                    "d": 1 / 62})
    assert retrieval.rrf([["x", "y"], ["y"]], k=1) == pytest.approx({"x": 1 / 2,
                                                                      "y": 1 / 3 + 1 / 2})
    assert retrieval.rrf([]) == {}
    assert retrieval.RRF_K == 60


def test_or_tsquery_is_built_from_content_words_only():
    assert retrieval.or_tsquery("How do I save a PSD file? (v2) Ctrl+S") == \
        "save | psd | file | v2 | ctrl"
    assert retrieval.or_tsquery("what is it?") == ""
    assert retrieval.or_tsquery("") == ""
    hostile = retrieval.or_tsquery("mask & !layer | 'x' :* <-> (crop) \\ café_noir")
    assert hostile == "mask | layer | crop | café | noir"
    assert retrieval.or_tsquery("mask Mask MASK") == "mask"


def test_supported_keeps_similar_hits_in_order_up_to_k():
    def hit(cid: str, similarity: float) -> Hit:
        return Hit(chunk_id=cid, video_id="v", video_title="t", start=0, end=1, text="",
                   score=0, similarity=similarity, text_rank=0)

    hits = [hit("a", 0.5), hit("b", 0.1), hit("c", 0.3), hit("d", 0.9)]
    assert [h.chunk_id for h in retrieval.supported(hits, 2, 0.25)] == ["a", "c"]
    assert retrieval.supported(hits, 5, 0.95) == []
    assert retrieval.candidate_count(5) == 40 and retrieval.candidate_count(20) == 80


# --- scopes ---------------------------------------------------------------------------------------

def test_student_school_scope_is_the_published_videos(session, lib):
    scope = resolve(session, lib.student_a, "school", lib.owner_a.creator_id)
    assert scope.kind == "school" and scope.id == str(lib.owner_a.creator_id)
    assert scope.label == "School: Pixel Academy"
    assert scope.creator_id == str(lib.owner_a.creator_id)
    assert set(scope.video_ids) == ids(lib.masks, lib.crop, lib.empty)


def test_owner_school_scope_is_every_own_video_with_chunks(session, lib):
    scope = resolve(session, lib.owner_a, "school", lib.owner_a.creator_id)
    assert set(scope.video_ids) == ids(lib.masks, lib.crop, lib.draft)


def test_other_schools_are_not_found(session, lib):
    for kind, target in (("school", lib.owner_b.creator_id), ("video", lib.sourdough.id),
                         ("course", lib.course_b.id)):
        with pytest.raises(NotFound):
            resolve(session, lib.student_a, kind, target)
        with pytest.raises(NotFound):
            resolve(session, lib.owner_a, kind, target)
    # Still the school's, for its own student.
    assert resolve(session, lib.student_b, "course", lib.course_b.id).video_ids == \
        [str(lib.sourdough.id)]


def test_public_video_of_another_school_follows_can_view_video(session, lib):
    scope = resolve(session, lib.student_a, "video", lib.bread_public.id)
    assert scope.video_ids == [str(lib.bread_public.id)]
    assert scope.label == "this video" and scope.creator_id == str(lib.owner_b.creator_id)


def test_video_scope(session, lib):
    scope = resolve(session, lib.student_a, "video", lib.masks.id)
    assert (scope.kind, scope.id, scope.video_ids) == ("video", str(lib.masks.id),
                                                       [str(lib.masks.id)])
    for hidden in (lib.draft, lib.deleted):
        with pytest.raises(NotFound):
            resolve(session, lib.student_a, "video", hidden.id)
    assert resolve(session, lib.owner_a, "video", lib.draft.id).video_ids == [str(lib.draft.id)]
    with pytest.raises(NotFound):
        resolve(session, lib.owner_a, "video", lib.deleted.id)


def test_course_scope(session, lib):
    scope = resolve(session, lib.student_a, "course", lib.course_a.id)
    assert scope.label == "Course: Compositing" and scope.video_ids == [str(lib.masks.id)]
    assert resolve(session, lib.owner_a, "course", lib.course_a.id).video_ids == \
        [str(lib.masks.id), str(lib.draft.id)]
    with pytest.raises(NotFound):
        resolve(session, lib.student_a, "course", lib.hidden_course_a.id)
    assert resolve(session, lib.owner_a, "course", lib.hidden_course_a.id).video_ids == \
        [str(lib.crop.id)]
    for actor in (lib.student_a, lib.owner_a):
        with pytest.raises(NotFound):
            resolve(session, actor, "course", lib.deleted_course_a.id)


def test_malformed_or_unknown_ids_are_not_found(session, lib):
    for kind in retrieval.SCOPE_KINDS:
        for scope_id in ("nope", "", "123", "' OR 1=1 --", str(uuid.uuid4()), None):
            with pytest.raises(NotFound):
                resolve(session, lib.student_a, kind, scope_id)


def test_unknown_kind_and_anonymous_are_not_found(session, lib):
    with pytest.raises(NotFound):
        resolve(session, lib.student_a, "channel", lib.owner_a.creator_id)
    with pytest.raises(NotFound):
        resolve(session, None, "video", lib.bread_public.id)


def test_leaving_the_school_closes_its_scopes_even_with_a_stale_actor(session, lib):
    stale = lib.student_a
    schools.leave_school(session=session, actor=stale, creator_id=lib.owner_a.creator_id)
    for kind, target in (("school", lib.owner_a.creator_id), ("course", lib.course_a.id),
                         ("video", lib.masks.id)):
        with pytest.raises(NotFound):
            resolve(session, stale, kind, target)


def test_school_scopes(session, lib):
    assert [s.id for s in retrieval.school_scopes(session=session, actor=lib.student_a)] == \
        [str(lib.owner_a.creator_id)]
    owner_a = schools.join_school(session=session, actor=lib.owner_a,
                                  creator_id=lib.owner_b.creator_id)
    scopes = retrieval.school_scopes(session=session, actor=owner_a)
    assert [s.label for s in scopes] == ["School: Pixel Academy", "School: Bread Lab"]
    assert set(scopes[1].video_ids) == ids(lib.sourdough, lib.bread_public)
    assert retrieval.school_scopes(session=session, actor=None) == []


# --- nothing leaks --------------------------------------------------------------------------------

SOURDOUGH_QUESTION = "How often should I feed my sourdough starter with flour and water?"


def test_answer_only_in_another_school_is_not_retrieved(session, lib):
    scope_a = resolve(session, lib.student_a, "school", lib.owner_a.creator_id)
    for mode in retrieval.MODES:
        hits = search(session, lib.student_a, scope_a, SOURDOUGH_QUESTION, mode=mode)
        assert {h.video_id for h in hits} <= set(scope_a.video_ids)
    assert retrieval.retrieve(session=session, actor=lib.student_a, scope=scope_a,
                              query=SOURDOUGH_QUESTION, embedder=EMBEDDER) == []
    # The same question is answered inside school B.
    scope_b = resolve(session, lib.student_b, "school", lib.owner_b.creator_id)
    found = retrieval.retrieve(session=session, actor=lib.student_b, scope=scope_b,
                               query=SOURDOUGH_QUESTION, embedder=EMBEDDER)
    assert found and found[0].video_id == str(lib.sourdough.id) and found[0].start == 0.0


def test_a_forged_scope_leaks_nothing(session, lib):
    forged = [
        Scope("school", str(lib.owner_a.creator_id), "x", str(lib.owner_a.creator_id),
              [str(lib.sourdough.id)]),  # another school's video under one's own school
        Scope("school", str(lib.owner_b.creator_id), "x", str(lib.owner_b.creator_id),
              [str(lib.sourdough.id)]),  # members-only video, not a member
        Scope("video", str(lib.draft.id), "x", str(lib.owner_a.creator_id),
              [str(lib.draft.id), str(lib.deleted.id), "not-a-uuid"]),  # unpublished, deleted
    ]
    for scope in forged:
        for query in (SOURDOUGH_QUESTION, "gradient editor presets", "vignette corners"):
            assert search(session, lib.student_a, scope, query) == []


def test_video_scope_returns_only_that_video(session, lib):
    scope = resolve(session, lib.student_a, "video", lib.masks.id)
    hits = search(session, lib.student_a, scope, "crop tool to level a tilted photo, or mask?")
    assert hits and {h.video_id for h in hits} == {str(lib.masks.id)}
    assert {h.video_title for h in hits} == {"Layer masks"}


def test_course_scope_retrieval(session, lib):
    question = "Where does the gradient editor keep presets?"
    student_scope = resolve(session, lib.student_a, "course", lib.course_a.id)
    hits = search(session, lib.student_a, student_scope, question)
    assert {h.video_id for h in hits} == {str(lib.masks.id)}  # the draft lesson is not theirs
    owner_scope = resolve(session, lib.owner_a, "course", lib.course_a.id)
    top = retrieval.retrieve(session=session, actor=lib.owner_a, scope=owner_scope,
                             query=question, embedder=EMBEDDER)
    assert top[0].video_id == str(lib.draft.id)


def test_chunks_of_another_embedding_model_are_ignored(session, lib):
    stale = add_chunks(session, lib.masks, ["Drag the feather slider, feather the mask edge."],
                       model="openai:text-embedding-3-small", first_index=10)[0]
    scope = resolve(session, lib.student_a, "video", lib.masks.id)
    for mode in retrieval.MODES:
        hits = search(session, lib.student_a, scope, "feather slider mask edge", mode=mode)
        assert hits and str(stale.id) not in {h.chunk_id for h in hits}
    # Only the other model's chunks in scope: nothing to compare with.
    only_stale = Scope("video", "x", "x", str(lib.owner_a.creator_id), [str(lib.masks.id)])
    session.execute(text("UPDATE video_chunks SET embedding_model = 'old' "
                         "WHERE video_id = :v"), {"v": lib.masks.id})
    assert search(session, lib.student_a, only_stale, "feather slider mask edge") == []


# --- ranking --------------------------------------------------------------------------------------

def test_retrieve_returns_supported_passages_best_first(session, lib):
    scope = resolve(session, lib.student_a, "school", lib.owner_a.creator_id)
    hits = retrieval.retrieve(session=session, actor=lib.student_a, scope=scope,
                              query="How do I refine the mask edge with the feather slider?",
                              embedder=EMBEDDER)
    assert 1 <= len(hits) <= retrieval.TOP_K
    first = hits[0]
    assert (first.video_id, first.start, first.end) == (str(lib.masks.id), 30.0, 59.5)
    assert first.text == MASKS[1] and first.video_title == "Layer masks"
    assert first.similarity >= retrieval.MIN_SIMILARITY and first.text_rank > 0
    assert all(h.similarity >= retrieval.MIN_SIMILARITY for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert retrieval.retrieve(session=session, actor=lib.student_a, scope=scope,
                              query="   ", embedder=EMBEDDER) == []


def test_modes_fill_their_own_scores(session, lib):
    scope = resolve(session, lib.student_a, "school", lib.owner_a.creator_id)
    question = "crop the photo with the crop tool"
    vector = search(session, lib.student_a, scope, question, mode="vector")
    only_text = search(session, lib.student_a, scope, question, mode="text")
    assert vector and all(h.text_rank == 0 for h in vector)
    assert len(vector) == 5  # every embedded chunk of the scope: it is smaller than 40
    assert only_text and all(h.similarity == 0 and h.text_rank > 0 for h in only_text)
    assert only_text[0].text == CROP[0]
    assert search(session, lib.student_a, scope, "what is it?", mode="text") == []
    with pytest.raises(ValueError):
        search(session, lib.student_a, scope, question, mode="bm25")


class ConceptEmbedder:
    """A test double that knows synonyms: words map to concept axes (other words are ignored),
    so "store your paper" is close to "save the document" with no word in common."""

    model = "test-concepts"
    dimensions = 1536
    CONCEPTS = {"save": 0, "store": 0, "document": 1, "paper": 1, "shortcut": 2, "keyboard": 2,
                "rulers": 3, "guides": 3, "brushes": 4, "brush": 4, "colors": 5}

    def embed(self, texts):
        out = []
        for t in texts:
            vector = [0.0] * self.dimensions
            for word in t.lower().replace("?", " ").split():
                if word in self.CONCEPTS:
                    vector[self.CONCEPTS[word]] += 1.0
            norm = math.sqrt(sum(x * x for x in vector))
            if norm == 0:
                vector[1000], norm = 1.0, 1.0
            out.append([x / norm for x in vector])
        return out


def test_hybrid_finds_what_either_mode_misses(session, lib):
    """Q1's answer shares no word with it (full text misses it); Q2's answer is far from it in
    the embedding (vector ranks it 4th or lower). Top 3: hybrid finds both, each mode one."""
    embedder = ConceptEmbedder()
    video = make_video(session, lib.owner_a, title="Shortcuts", published_at=PUBLISHED)
    chunks = add_chunks(session, video, [
        "store your paper somewhere safe",        # answer to Q1
        "press zork to toggle the rulers",        # answer to Q2
        "the keyboard shortcut list",
        "a shortcut for brushes",
        "keyboard tricks for colors",
        "guides and rulers in the view menu",
    ], embedder=embedder)
    questions = {"save the document": str(chunks[0].id), "zork shortcut": str(chunks[1].id)}
    scope = resolve(session, lib.student_a, "video", video.id)
    found: dict[str, int] = {}
    for mode in retrieval.MODES:
        found[mode] = 0
        for question, answer in questions.items():
            hits = search(session, lib.student_a, scope, question, embedder=embedder, mode=mode)
            found[mode] += answer in [h.chunk_id for h in hits[:3]]
    assert found == {"vector": 1, "text": 1, "hybrid": 2}


def test_exact_and_hnsw_paths_agree(session, lib, monkeypatch):
    scope = resolve(session, lib.owner_a, "school", lib.owner_a.creator_id)
    question = "straighten the horizon of a tilted photo"
    exact = search(session, lib.owner_a, scope, question, mode="vector")
    assert exact[0].text == CROP[1]
    # The index serves cosine ORDER BY ... LIMIT (on a table this small the planner prefers
    # the video_id index unless told otherwise).
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(session.execute(text(
        "EXPLAIN SELECT id FROM video_chunks ORDER BY embedding <=> "
        "CAST(:q AS vector) LIMIT 5"), {"q": str([1.0] + [0.0] * 1535)}).scalars())
    assert "idx_video_chunks_embedding" in plan

    before = session.execute(text("SELECT current_setting('hnsw.ef_search', true)")).scalar()
    monkeypatch.setattr(retrieval, "EXACT_LIMIT", 0)

    def no_exact(*args, **kwargs):
        raise AssertionError("the HNSW path should have answered")

    with monkeypatch.context() as patch:
        patch.setattr(retrieval, "_exact_vector", no_exact)
        hnsw = search(session, lib.owner_a, scope, question, mode="vector")
        hybrid = search(session, lib.owner_a, scope, question)
    assert [h.chunk_id for h in hnsw] == [h.chunk_id for h in exact]
    assert [h.similarity for h in hnsw] == pytest.approx([h.similarity for h in exact])
    assert hybrid[0].text == CROP[1]
    after = session.execute(text("SELECT current_setting('hnsw.ef_search', true)")).scalar()
    assert after == before  # SET LOCAL undone for the rest of the transaction
    assert search(session, lib.owner_a, scope, question, vector_path="exact")[0].text == CROP[1]
    # The HNSW path honours the scope too: another school's video under one's own school.
    b_scope = Scope("school", "x", "x", str(lib.owner_a.creator_id), [str(lib.sourdough.id)])
    assert search(session, lib.owner_a, b_scope, SOURDOUGH_QUESTION) == []


def test_a_short_hnsw_answer_falls_back_to_exact(session, lib, monkeypatch):
    """pgvector < 0.8 filters the index's nearest neighbours after the scan: a small scope in a
    big table can come back short, and then the exact ranking answers."""
    scope = resolve(session, lib.owner_a, "school", lib.owner_a.creator_id)
    question = "straighten the horizon of a tilted photo"
    exact = search(session, lib.owner_a, scope, question, mode="vector")
    monkeypatch.setattr(retrieval, "EXACT_LIMIT", 0)
    calls = []
    original = retrieval._exact_vector

    def counted(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(retrieval, "_exact_vector", counted)
    monkeypatch.setattr(retrieval, "_hnsw_vector", lambda *args: original(*args)[:1])
    fallen_back = search(session, lib.owner_a, scope, question, mode="vector")
    assert len(calls) == 1
    assert [h.chunk_id for h in fallen_back] == [h.chunk_id for h in exact]
