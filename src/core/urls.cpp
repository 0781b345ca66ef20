#include "core/urls.h"
