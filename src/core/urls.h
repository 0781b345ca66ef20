// URL and host extraction for HOST-ALLOW-01 (placeholder).
#pragma once
