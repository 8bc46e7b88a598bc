"""Domain logic as plain functions `(*, session, actor, ...) -> schemas`. No reflex import."""
