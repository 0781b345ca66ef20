// Text helpers for renderers (placeholder).
#pragma once
