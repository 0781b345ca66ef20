#include "core/sums.h"
