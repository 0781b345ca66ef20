// Host list matching for HOST-ALLOW-01 (placeholder).
#pragma once
