// What the event-stream codec's modules take from @smithy/core/serde, from smithy's own files:
// that module's index also builds a UUID generator and a Blob adapter when it loads, which a
// bundler must keep (about 1 KiB gzipped). wrangler.toml aliases @smithy/core/serde here, for the
// Worker's build only; the library's users bundle smithy as it is.
export { fromHex, toHex } from "../node_modules/@smithy/core/dist-es/submodules/serde/util-hex-encoding/hex-encoding.js";
export { fromUtf8 } from "../node_modules/@smithy/core/dist-es/submodules/serde/util-utf8/fromUtf8.browser.js";
export { toUtf8 } from "../node_modules/@smithy/core/dist-es/submodules/serde/util-utf8/toUtf8.browser.js";
// The codec's CRC32 comes from smithy's checksum module, which takes these two.
export { concatBytes } from "../node_modules/@smithy/core/dist-es/submodules/serde/concatBytes.js";
export { toUint8Array } from "../node_modules/@smithy/core/dist-es/submodules/serde/util-utf8/toUint8Array.browser.js";
