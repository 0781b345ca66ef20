#include "runner/seal.h"
