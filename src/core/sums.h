// sha256sums parsing (owned by the INTEGRITY-01 work; placeholder).
#pragma once
