// Sealing a pack: runner metadata, manifest env_ref, pack hashes, sums file.
// (Implemented with the executor; see issue 3.)
#pragma once

namespace mplp {}
