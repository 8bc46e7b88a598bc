"""SQLModel tables, one module per area. Importing this package registers every table."""

from chronos_app.models.analytics import (
    UsageMetrics,
    VideoAnalytics,
    VideoAnalyticsEvent,
    VideoWatchSession,
)
from chronos_app.models.chat import ChatMessage, ChatSession
from chronos_app.models.content import Chapter, Video, VideoChunk, VideoSegment
from chronos_app.models.courses import Course, CourseModule, ModuleLesson
from chronos_app.models.discussion import Comment
from chronos_app.models.identity import AuthSession, User
from chronos_app.models.jobs import ProcessingJob
from chronos_app.models.roles import Creator, Student
from chronos_app.models.social import Follow, Like, Subscription

__all__ = [
    "AuthSession", "Chapter", "ChatMessage", "ChatSession", "Comment", "Course", "CourseModule",
    "Creator", "Follow", "Like", "ModuleLesson", "ProcessingJob", "Student", "Subscription",
    "UsageMetrics", "User", "Video", "VideoAnalytics", "VideoAnalyticsEvent", "VideoChunk",
    "VideoSegment", "VideoWatchSession",
]
