"""Philox4x32-10 and Philox4x64-10 block functions against Random123's known answers.

The vectors below are every 10-round philox4x32/philox4x64 line of Random123's
tests/kat_vectors (KAT_LINES) and tests/old_kat_vectors (OLD_KAT_LINES), commit
9545ff6413f258be2f04c1d319d99aaef7521150, copied verbatim from ../shared/philox_kat_vectors.txt
and ../shared/philox_old_kat_vectors.txt so that the tests need nothing outside this file.
Columns: name rounds CTR[0..3] KEY[0..1] EXPECTED[0..3]; words in hex, word 0 first.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

import weightinit as wi

#: A build without OpenMP runs every fill on one thread (and get_num_threads() says 1).
OPENMP = bool(wi.info()["openmp"])

# fmt: off
KAT_LINES = (
    "philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8",
    "philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd",
    "philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000   16554d9eca36314c db20fe9d672d0fdc d7e772cee186176b 7e68b68aec7ba23b",
    "philox4x64 10 ffffffffffffffff ffffffffffffffff ffffffffffffffff ffffffffffffffff ffffffffffffffff ffffffffffffffff   87b092c3013fe90b 438c3c67be8d0224 9cc7d7c69cd777b6 a09caebf594f0ba0",
    "philox4x64 10 243f6a8885a308d3 13198a2e03707344 a4093822299f31d0 082efa98ec4e6c89 452821e638d01377 be5466cf34e90c6c   a528f45403e61d95 38c72dbd566e9788 a5a1610e72fd18b5 57bd43b5e52b7fe6",
)

OLD_KAT_LINES = (
    "philox4x32 10 00000001 00000000 00000000 00000000   00000001 00000000   ac08141b dfc5ccbe 79c07a47 a7f66093",
    "philox4x32 10 00000000 00000001 00000000 00000000   00000001 00000000   833ff8dc 225c963c 232b88b3 0b334b07",
    "philox4x32 10 00000000 00000000 00000001 00000000   00000001 00000000   07071c12 428264b6 3909104b 6da2bda2",
    "philox4x32 10 00000000 00000000 00000000 00000001   00000001 00000000   127bee41 1e047488 48842b20 0a393496",
    "philox4x32 10 00000000 ffffffff 00000000 00000000   00000001 00000000   04e2eae1 463cc999 e7786310 65b3dc49",
    "philox4x32 10 00000000 80000000 00000000 00000000   00000001 00000000   34a4d61d 340e4017 f6945830 e9f52b96",
    "philox4x32 10 00000000 00000000 ffffffff 00000000   00000001 00000000   fb0905e2 78378790 ca37926b cdf58cfa",
    "philox4x32 10 00000000 00000000 80000000 00000000   00000001 00000000   f2e15c7d 3fedcd99 90046f6c 6657f0ca",
    "philox4x32 10 00000000 00000000 00000000 ffffffff   00000001 00000000   f50c9398 b36cdab2 436bdc89 cc49431b",
    "philox4x32 10 00000000 00000000 00000000 80000000   00000001 00000000   dde26e4e 17666f3b fc1f5b3a 83ac805d",
    "philox4x32 10 243f6a88 85a308d3 13198a2e 03707344   00000001 00000000   38527b8f fad9a48c 20e675c0 f2fea26a",
    "philox4x32 10 a4093822 299f31d0 082efa98 ec4e6c89   00000001 00000000   fb9877f8 482895e2 60b01453 198ea67b",
    "philox4x32 10 452821e6 38d01377 be5466cf 34e90c6c   00000001 00000000   f7b7fa0a 8d970e2c 205c9c76 83b16ce5",
    "philox4x32 10 00000001 00000000 00000000 00000000   00000000 00000001   ccf3076a 6306f434 bea71965 d96fe48a",
    "philox4x32 10 00000000 00000001 00000000 00000000   00000000 00000001   532f1322 36c890fb 6504b937 07bbfef7",
    "philox4x32 10 00000000 00000000 00000001 00000000   00000000 00000001   7f6c13ff 114b2447 0550eced ea1fc805",
    "philox4x32 10 00000000 00000000 00000000 00000001   00000000 00000001   96b27e8c 28826d0f 66d958ef 081509dc",
    "philox4x32 10 00000000 ffffffff 00000000 00000000   00000000 00000001   00e94a67 3524f44e 22995230 bb54df1e",
    "philox4x32 10 00000000 80000000 00000000 00000000   00000000 00000001   ce1afc4e 4fbf97a1 6110bee9 a559be2f",
    "philox4x32 10 00000000 00000000 ffffffff 00000000   00000000 00000001   576241af d3b45bee 619bd94d 15dd8793",
    "philox4x32 10 00000000 00000000 80000000 00000000   00000000 00000001   d9da65af eced57ba c34d2661 91fe931f",
    "philox4x32 10 00000000 00000000 00000000 ffffffff   00000000 00000001   36241728 4d42c858 fea737d6 49f40347",
    "philox4x32 10 00000000 00000000 00000000 80000000   00000000 00000001   0436a39b 31be9efa 6abd0c76 e7a68f83",
    "philox4x32 10 243f6a88 85a308d3 13198a2e 03707344   00000000 00000001   126514c3 d1898b69 da2707b3 6e6fb436",
    "philox4x32 10 a4093822 299f31d0 082efa98 ec4e6c89   00000000 00000001   1c28fa3f 8c5bf977 bb989783 0c1a3737",
    "philox4x32 10 452821e6 38d01377 be5466cf 34e90c6c   00000000 00000001   ac87a8c1 f240abdb add6c012 68a32a78",
    "philox4x32 10 00000001 00000000 00000000 00000000   00000000 ffffffff   473ab778 330bacc0 acd5fc9a 5ede76b3",
    "philox4x32 10 00000000 00000001 00000000 00000000   00000000 ffffffff   cdfbd51c caae5f2e 10739cfc 79e95162",
    "philox4x32 10 00000000 00000000 00000001 00000000   00000000 ffffffff   6c4b0e80 357e5a94 3255445d 6f433f0b",
    "philox4x32 10 00000000 00000000 00000000 00000001   00000000 ffffffff   5c4ecd0c 64c12cf9 8f9fb4c8 40c4a01f",
    "philox4x32 10 00000000 ffffffff 00000000 00000000   00000000 ffffffff   5f9c47aa 19861d86 ff2be81d 4c7db17e",
    "philox4x32 10 00000000 80000000 00000000 00000000   00000000 ffffffff   715a87cf f966a7f0 3e6dd95f e884e2fd",
    "philox4x32 10 00000000 00000000 ffffffff 00000000   00000000 ffffffff   07678411 9e524307 ba634e67 94ee8cb7",
    "philox4x32 10 00000000 00000000 80000000 00000000   00000000 ffffffff   b6f48e28 f2fa9414 00b64f66 4810cdb4",
    "philox4x32 10 00000000 00000000 00000000 ffffffff   00000000 ffffffff   9f18bb20 62161056 7ea8c028 4c01fc6e",
    "philox4x32 10 00000000 00000000 00000000 80000000   00000000 ffffffff   2a460458 0a2709e5 47bc9115 0f96d8af",
    "philox4x32 10 243f6a88 85a308d3 13198a2e 03707344   00000000 ffffffff   08f7720c 845ee9e0 502ccd3d a9a00e27",
    "philox4x32 10 a4093822 299f31d0 082efa98 ec4e6c89   00000000 ffffffff   9fcce05d 837d3f3c 5cdf3e61 db2544c0",
    "philox4x32 10 452821e6 38d01377 be5466cf 34e90c6c   00000000 ffffffff   72ce44b3 b44f9b78 49af0267 726813ac",
    "philox4x32 10 00000001 00000000 00000000 00000000   00000000 80000000   e29b9f84 2903d316 42a1f56f 1ad02eab",
    "philox4x32 10 00000000 00000001 00000000 00000000   00000000 80000000   94f419f8 1116c316 99f2fa30 bc048ad6",
    "philox4x32 10 00000000 00000000 00000001 00000000   00000000 80000000   488b0258 9eea6420 afe7062e 768f5637",
    "philox4x32 10 00000000 00000000 00000000 00000001   00000000 80000000   dbec6d70 69cea528 f7e22262 2e9f3e8f",
    "philox4x32 10 00000000 ffffffff 00000000 00000000   00000000 80000000   905ee550 c7520e9a 9af9d0ad 69b97e98",
    "philox4x32 10 00000000 80000000 00000000 00000000   00000000 80000000   1b89d963 0defe9af 60c9d3fb 3cfae97d",
    "philox4x32 10 00000000 00000000 ffffffff 00000000   00000000 80000000   601b5460 fe29678b 54510a02 c72ed094",
    "philox4x32 10 00000000 00000000 80000000 00000000   00000000 80000000   ae56ca02 7609ba67 25abd7df 46ce39a3",
    "philox4x32 10 00000000 00000000 00000000 ffffffff   00000000 80000000   09812238 47b8470d 3e0d0a26 92d96c9a",
    "philox4x32 10 00000000 00000000 00000000 80000000   00000000 80000000   f7a0b371 e51dc93d 56ce135d 1d4b5580",
    "philox4x32 10 243f6a88 85a308d3 13198a2e 03707344   00000000 80000000   63675d2c 422d7c4d 3145d30d 3bce33a4",
    "philox4x32 10 a4093822 299f31d0 082efa98 ec4e6c89   00000000 80000000   aa74e81c c9ddb97b 2c2cd881 9390c78d",
    "philox4x32 10 452821e6 38d01377 be5466cf 34e90c6c   00000000 80000000   94ca5566 14924b2f 28214292 59faeaee",
    "philox4x64 10 0000000000000001 0000000000000000 0000000000000000 0000000000000000   0000000000000001 0000000000000000   4db6a27b756282df d944fa03babe0e2f 27f872e577060d32 07f697696a0482a2",
    "philox4x64 10 0000000000000000 0000000000000001 0000000000000000 0000000000000000   0000000000000001 0000000000000000   bbf738c62d3516b3 7faed3926853226b c175b4809d5da923 7a77f6c341cec732",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000001 0000000000000000   0000000000000001 0000000000000000   05c42b05ff257651 83431181197ac359 57be92230b7ced59 75073635c66ba84b",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 0000000000000001   0000000000000001 0000000000000000   8047f8778e0c2a18 da91ab55df266829 5a8b0adc29d708de d2ba72e9a5f8ca1f",
    "philox4x64 10 0000000000000000 ffffffffffffffff 0000000000000000 0000000000000000   0000000000000001 0000000000000000   82a98ead15250c68 dca14805e19e01bc 7bc58279fe853ad2 4366ca54a9015751",
    "philox4x64 10 0000000000000000 8000000000000000 0000000000000000 0000000000000000   0000000000000001 0000000000000000   5103c647343f9197 a979e24146bddfdb a38a5cea6c70d5ea 69dbc87d145feea6",
    "philox4x64 10 0000000000000000 0000000000000000 ffffffffffffffff 0000000000000000   0000000000000001 0000000000000000   f5cfc4e5a58df07a 6fcdcdd4c962f858 9924d9474dfddf2f f5da8c63141ebe42",
    "philox4x64 10 0000000000000000 0000000000000000 8000000000000000 0000000000000000   0000000000000001 0000000000000000   0dd2beab02c79d3b 85868d969fc6d557 da416fa7e6efe9a5 97aa0f5a07837f3c",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 ffffffffffffffff   0000000000000001 0000000000000000   e3de832dbefa4f20 9d8e387753e80554 3f942711126531ab cbac59ef8a8facfc",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 8000000000000000   0000000000000001 0000000000000000   4aea7a2d45ef6b56 9d39b7727af2b34d 710b6c665646f6f3 4c266cbd9914407c",
    "philox4x64 10 243f6a8885a308d3 13198a2e03707344 a4093822299f31d0 082efa98ec4e6c89   0000000000000001 0000000000000000   c306b6f69047b4d3 50a141b88a52f51f c1255f575c5efa40 e9ec1af0c5fd12e7",
    "philox4x64 10 0000000000000001 0000000000000000 0000000000000000 0000000000000000   0000000000000000 0000000000000001   d037f8c3f9a1d176 c057419b4c210765 abf13115117b0065 7bae035dea6ea5c0",
    "philox4x64 10 0000000000000000 0000000000000001 0000000000000000 0000000000000000   0000000000000000 0000000000000001   5f173f0fc52df6ee 8e8e9c9688aed89e abdae5020b0cb568 48f2b1309feded50",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000001 0000000000000000   0000000000000000 0000000000000001   fc2c9c4d9ddaf082 2897652bb49dcae3 baaf4535a51ae093 97a0e3db84f4deda",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 0000000000000001   0000000000000000 0000000000000001   c403b0ed4f4a56bc 4c10205602338da5 44026cf45fd8c7b3 c85ab2577611200a",
    "philox4x64 10 0000000000000000 ffffffffffffffff 0000000000000000 0000000000000000   0000000000000000 0000000000000001   a6b0eb43d4242e83 7eb0571197ef0432 595c5ac87ab02ffd 3065201e77c7719d",
    "philox4x64 10 0000000000000000 8000000000000000 0000000000000000 0000000000000000   0000000000000000 0000000000000001   06fc1ee830dac525 9dbd142788436b9f 5142f5068c0d523b 3a272b75f6fc8d07",
    "philox4x64 10 0000000000000000 0000000000000000 ffffffffffffffff 0000000000000000   0000000000000000 0000000000000001   05ea68c26fda314d bfedb09469623669 b5d90ab786f50a8a 91ab55b3322fa08b",
    "philox4x64 10 0000000000000000 0000000000000000 8000000000000000 0000000000000000   0000000000000000 0000000000000001   fc66f7ed4a80f91a 26321095c87d4593 b7c965253657e98f 9ec415f9832e5a5b",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 ffffffffffffffff   0000000000000000 0000000000000001   0a3c7e26094a08d3 2adb8f85553814c3 2e4991e78f66b1e3 15eb86339cfe3169",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 8000000000000000   0000000000000000 0000000000000001   fc1433efdbd33e21 808ce83adf2a77f8 96ee08d151e9bb53 e8f4c80839491335",
    "philox4x64 10 243f6a8885a308d3 13198a2e03707344 a4093822299f31d0 082efa98ec4e6c89   0000000000000000 0000000000000001   43e89f25ef59b052 d2502d395a99506d d5c391a65ae822ed 5b049af4d110de73",
    "philox4x64 10 0000000000000001 0000000000000000 0000000000000000 0000000000000000   0000000000000000 ffffffffffffffff   72d6708a2e33f32e cdb7d7084ea573af 7afec3befacf7bfa 973f3514d6cb878e",
    "philox4x64 10 0000000000000000 0000000000000001 0000000000000000 0000000000000000   0000000000000000 ffffffffffffffff   78f3fb4b2e6c3b4c 8ff0de70dc8d4d15 7ff4df00521f1fa6 562c6ab0f46014a6",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000001 0000000000000000   0000000000000000 ffffffffffffffff   2387991c4ec7757a b5386352c0608d17 4e1652d424a4e695 0a51cf9337aa092d",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 0000000000000001   0000000000000000 ffffffffffffffff   e6ffec0a65d827e2 4eda0ce957436ecb 044226366e687984 c563403773ea4586",
    "philox4x64 10 0000000000000000 ffffffffffffffff 0000000000000000 0000000000000000   0000000000000000 ffffffffffffffff   610763733452c58c 782a055afc18c1b2 9a6f11fd37bba6b7 7230bfcc8a5f81b8",
    "philox4x64 10 0000000000000000 8000000000000000 0000000000000000 0000000000000000   0000000000000000 ffffffffffffffff   0227ecdbbe8da04d c78fb8f0b412a18b 2c95e618493dbf20 b3ecdbb8c2ef1600",
    "philox4x64 10 0000000000000000 0000000000000000 ffffffffffffffff 0000000000000000   0000000000000000 ffffffffffffffff   9dd4b8f423be915e 43cd5fa1ab84838c 9bdd5bc7b21d5372 ae35cb6a3d94c1fe",
    "philox4x64 10 0000000000000000 0000000000000000 8000000000000000 0000000000000000   0000000000000000 ffffffffffffffff   127083ab716caa91 96939425b7ef4758 da6dbf8bfa9da76b f4a9720c1af9e0e2",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 ffffffffffffffff   0000000000000000 ffffffffffffffff   3609d7e72c5bf1ea e82604f634f7ad33 8b6c9f114736edf2 83dcba394e12f45a",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 8000000000000000   0000000000000000 ffffffffffffffff   cc2e3611b341b443 d975353c6baa07e8 4d0e70419e907e10 8a4dceea01380ae1",
    "philox4x64 10 243f6a8885a308d3 13198a2e03707344 a4093822299f31d0 082efa98ec4e6c89   0000000000000000 ffffffffffffffff   7abbd897f6d97f60 a35c61aae7c5a341 939a3dd4f55b2e11 aca6e644802e2b83",
    "philox4x64 10 0000000000000001 0000000000000000 0000000000000000 0000000000000000   0000000000000000 8000000000000000   95bf028be28ca5e8 80a06590a6c807a8 1770cb520415bcba fecac07f93e9ed1f",
    "philox4x64 10 0000000000000000 0000000000000001 0000000000000000 0000000000000000   0000000000000000 8000000000000000   6aa3e3e8852b4cc4 eeed4a014947ee9a b347eb5bb39cbcee f048d1bc0fc2b4f2",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000001 0000000000000000   0000000000000000 8000000000000000   86b7bbf896316096 dbf03c3291b0e8e4 f7baf2cce7820704 6901641d0e74863d",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 0000000000000001   0000000000000000 8000000000000000   a22ba98c8739f11c 75840cee16d70e1a 59211c4195818dbb 26fd6d1dd8b4d938",
    "philox4x64 10 0000000000000000 ffffffffffffffff 0000000000000000 0000000000000000   0000000000000000 8000000000000000   b7a2f1ee3064f644 5bfed8c7b0e09ec9 d7ef6479063d9862 b94fd6571ec99673",
    "philox4x64 10 0000000000000000 8000000000000000 0000000000000000 0000000000000000   0000000000000000 8000000000000000   237b3d9bab6c147b 15cd10a376b3ba31 e9fca9f852456a7c 011d03871fbcd351",
    "philox4x64 10 0000000000000000 0000000000000000 ffffffffffffffff 0000000000000000   0000000000000000 8000000000000000   c2af8ad32fd4de40 210519dc3915cf8d 96d7b5aaac61e656 bf890353d0e4f406",
    "philox4x64 10 0000000000000000 0000000000000000 8000000000000000 0000000000000000   0000000000000000 8000000000000000   deabe779ac4018bf c244924f18a0bd57 b2c176463cbcdd44 924c5c68f49efe61",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 ffffffffffffffff   0000000000000000 8000000000000000   65084d38b2079128 26278aadff5dc8a0 12b70968c429186c 3008f3151aec94d0",
    "philox4x64 10 0000000000000000 0000000000000000 0000000000000000 8000000000000000   0000000000000000 8000000000000000   4e5204874c73745c b416cb6ef85bba05 87819def7e3f93a0 cc38b1dbe3d9d6e9",
    "philox4x64 10 243f6a8885a308d3 13198a2e03707344 a4093822299f31d0 082efa98ec4e6c89   0000000000000000 8000000000000000   79b0012fa80e5ad7 15b81f9bf706cc38 6586b6802ea9ba1c 1bba4ac847739bca",
)
# fmt: on

WIDTHS = {
    "philox4x32": (wi.philox4x32_10, np.uint32, 32),
    "philox4x64": (wi.philox4x64_10, np.uint64, 64),
}


def parse_kat(line: str) -> tuple[str, list[int], list[int], list[int]]:
    fields = line.split()
    name, rounds, words = fields[0], int(fields[1]), [int(w, 16) for w in fields[2:]]
    assert rounds == 10 and len(words) == 10, line
    return name, words[0:4], words[4:6], words[6:10]


ALL_LINES = [("kat", i, line) for i, line in enumerate(KAT_LINES)] + [
    ("old_kat", i, line) for i, line in enumerate(OLD_KAT_LINES)
]
KAT_PARAMS = [pytest.param(line, id=f"{src}{i}-{line.split()[0]}") for src, i, line in ALL_LINES]


def kat_groups(name: str) -> dict[tuple[int, int], list[tuple[list[int], list[int]]]]:
    """The KAT vectors of one width, grouped by key: {key: [(counter, expected), ...]}."""
    groups: dict[tuple[int, int], list[tuple[list[int], list[int]]]] = defaultdict(list)
    for _, _, line in ALL_LINES:
        n, ctr, key, expected = parse_kat(line)
        if n == name:
            groups[tuple(key)].append((ctr, expected))
    return groups


# --- an independent pure-Python Philox, written from the paper's description ------------------

REFERENCE_CONSTANTS = {
    32: (0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85),
    64: (0xD2E7470EE14C6C93, 0xCA5A826395121157, 0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B),
}


def reference_philox(counter, key, bits: int, rounds: int = 10) -> list[int]:
    m0, m1, w0, w1 = REFERENCE_CONSTANTS[bits]
    mask = (1 << bits) - 1
    x = [int(c) for c in counter]
    k0, k1 = (int(k) for k in key)
    for r in range(rounds):
        if r:
            k0, k1 = (k0 + w0) & mask, (k1 + w1) & mask
        p0, p1 = m0 * x[0], m1 * x[2]
        x = [(p1 >> bits) ^ x[1] ^ k0, p1 & mask, (p0 >> bits) ^ x[3] ^ k1, p0 & mask]
    return x


@pytest.fixture
def restore_threads():
    before = wi.get_num_threads()
    yield
    wi.set_num_threads(before)


def random_words(rng: np.random.Generator, shape, bits: int) -> np.ndarray:
    dtype = np.uint32 if bits == 32 else np.uint64
    return rng.integers(0, 2**bits - 1, size=shape, dtype=dtype, endpoint=True)


# --- known answers ------------------------------------------------------------------------------


def test_kat_tables_hold_every_10_round_4xW_line():
    names = [parse_kat(line)[0] for _, _, line in ALL_LINES]
    assert names.count("philox4x32") == 3 + 52
    assert names.count("philox4x64") == 3 + 44
    assert len(set(KAT_LINES + OLD_KAT_LINES)) == len(KAT_LINES) + len(OLD_KAT_LINES)


@pytest.mark.parametrize("line", KAT_PARAMS)
def test_block_function_matches_random123_known_answer(line):
    name, ctr, key, expected = parse_kat(line)
    fn, dtype, _ = WIDTHS[name]
    got = fn(np.array([ctr], dtype=dtype), np.array(key, dtype=dtype))
    assert got.dtype == dtype and got.shape == (1, 4)
    assert [int(w) for w in got[0]] == expected
    # A single (4,) counter gives a (4,) block.
    single = fn(np.array(ctr, dtype=dtype), np.array(key, dtype=dtype))
    assert single.dtype == dtype and single.shape == (4,)
    assert [int(w) for w in single] == expected


@pytest.mark.parametrize("line", KAT_PARAMS)
def test_reference_implementation_matches_random123_known_answer(line):
    # Proves the pure-Python reference used below is itself right.
    name, ctr, key, expected = parse_kat(line)
    assert reference_philox(ctr, key, WIDTHS[name][2]) == expected


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_all_kat_counters_in_one_batch_per_key_match_known_answers(name):
    fn, dtype, _ = WIDTHS[name]
    groups = kat_groups(name)
    assert len(groups) >= 4
    for key, cases in groups.items():
        ctrs = np.array([c for c, _ in cases], dtype=dtype)
        got = fn(ctrs, np.array(key, dtype=dtype))
        assert got.shape == (len(cases), 4)
        assert got.tolist() == [e for _, e in cases], f"key {key}"


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_kat_vectors_hold_in_a_large_shuffled_batch_split_across_threads(name, restore_threads):
    # Big enough for the parallel path (several chunks), rows in a random order.
    fn, dtype, _ = WIDTHS[name]
    rng = np.random.default_rng(2024)
    wi.set_num_threads(2)
    for key, cases in kat_groups(name).items():
        rows = rng.integers(0, len(cases), size=40_001)
        ctrs = np.array([c for c, _ in cases], dtype=dtype)[rows]
        expected = np.array([e for _, e in cases], dtype=dtype)[rows]
        got = fn(ctrs, np.array(key, dtype=dtype))
        assert np.array_equal(got, expected), f"key {key}"


# --- against the independent reference ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_block_function_matches_pure_python_reference_on_random_counters_and_keys(name):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(7 + bits)
    top = 2**bits - 1
    for trial in range(12):
        key = random_words(rng, 2, bits)
        ctrs = random_words(rng, (17, 4), bits)
        ctrs[0] = [top, top, top, top]
        ctrs[1] = [0, 0, 0, 0]
        ctrs[2] = [top, 0, top, 0]
        got = fn(ctrs, key)
        expected = [reference_philox(row, key, bits) for row in ctrs]
        assert got.tolist() == expected, f"trial {trial}, key {key.tolist()}"
    for key in ([0, 0], [top, top], [top, 0]):
        ctrs = random_words(rng, (5, 4), bits)
        got = fn(ctrs, np.array(key, dtype=dtype))
        assert got.tolist() == [reference_philox(row, key, bits) for row in ctrs]


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_large_batch_is_identical_on_one_two_and_three_threads(name, restore_threads):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(99)
    n = 100_003
    ctrs = random_words(rng, (n, 4), bits)
    key = random_words(rng, 2, bits)
    results = {}
    for threads in (1, 2, 3):
        wi.set_num_threads(threads)
        assert wi.get_num_threads() == (threads if OPENMP else 1)
        results[threads] = fn(ctrs, key)
    assert np.array_equal(results[1], results[2])
    assert np.array_equal(results[1], results[3])
    # And the common answer is Philox: rows at both ends and around every chunk boundary.
    rows = {0, 1, n - 2, n - 1}
    for parts in (2, 3):
        for p in range(1, parts):
            mid = n * p // parts
            rows.update(range(mid - 20, mid + 20))
    rows.update(int(r) for r in rng.integers(0, n, size=40))
    for r in sorted(rows):
        assert results[2][r].tolist() == reference_philox(ctrs[r], key, bits), f"row {r}"


# --- input handling ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_non_contiguous_and_other_integer_inputs_give_the_same_blocks(name):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(5)
    ctrs = random_words(rng, (10, 4), bits)
    key = random_words(rng, 2, bits)
    expected = fn(ctrs, key)
    # A strided view of every second row.
    wide = np.zeros((20, 4), dtype=dtype)
    wide[::2] = ctrs
    assert np.array_equal(fn(wide[::2], key), expected)
    # A Fortran-ordered copy.
    assert np.array_equal(fn(np.asfortranarray(ctrs), key), expected)
    # Big-endian words.
    swapped = np.dtype(dtype).newbyteorder(">")
    assert np.array_equal(fn(ctrs.astype(swapped), key.astype(swapped)), expected)
    # Smaller signed integers holding non-negative values, and Python ints.
    small = rng.integers(0, 2**31 - 1, size=(3, 4), dtype=np.int64)
    small_key = [12345, 678]
    assert fn(small, small_key).tolist() == [reference_philox(r, small_key, bits) for r in small]
    assert fn(small.tolist(), small_key).tolist() == fn(small, small_key).tolist()


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_block_function_does_not_modify_its_inputs(name):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(6)
    ctrs = random_words(rng, (50, 4), bits)
    key = random_words(rng, 2, bits)
    ctrs_copy, key_copy = ctrs.copy(), key.copy()
    out = fn(ctrs, key)
    assert np.array_equal(ctrs, ctrs_copy) and np.array_equal(key, key_copy)
    assert not np.shares_memory(out, ctrs)


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_empty_batch_gives_empty_result(name):
    fn, dtype, _ = WIDTHS[name]
    got = fn(np.zeros((0, 4), dtype=dtype), np.zeros(2, dtype=dtype))
    assert got.shape == (0, 4) and got.dtype == dtype


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize("shape", [(), (3,), (5,), (2, 3), (2, 5), (4, 1), (2, 4, 1), (1, 2, 4)])
def test_wrong_counter_shape_raises_value_error(name, shape):
    fn, dtype, _ = WIDTHS[name]
    with pytest.raises(ValueError, match="counter"):
        fn(np.zeros(shape, dtype=dtype), np.zeros(2, dtype=dtype))


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize("shape", [(), (1,), (3,), (4,), (1, 2), (2, 1), (2, 2)])
def test_wrong_key_shape_raises_value_error(name, shape):
    fn, dtype, _ = WIDTHS[name]
    with pytest.raises(ValueError, match="key"):
        fn(np.zeros((1, 4), dtype=dtype), np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_negative_counter_or_key_raises_value_error(name):
    fn, _, _ = WIDTHS[name]
    with pytest.raises(ValueError, match="counter"):
        fn(np.array([[0, 0, 0, -1]], dtype=np.int64), [0, 0])
    with pytest.raises(ValueError, match="counter"):
        fn([[-(2**31), 1, 2, 3]], [0, 0])
    with pytest.raises(ValueError, match="key"):
        fn(np.zeros((1, 4), dtype=np.int64), np.array([1, -1], dtype=np.int8))


def test_counter_or_key_word_too_large_for_32_bits_raises_value_error():
    with pytest.raises(ValueError, match="counter"):
        wi.philox4x32_10(np.array([[2**32, 0, 0, 0]], dtype=np.int64), [0, 0])
    with pytest.raises(ValueError, match="key"):
        wi.philox4x32_10([[0, 0, 0, 0]], np.array([0, 2**32], dtype=np.uint64))


def test_counter_or_key_word_too_large_for_64_bits_is_rejected():
    with pytest.raises((ValueError, TypeError), match="counter"):
        wi.philox4x64_10([[2**64, 0, 0, 0]], [0, 0])
    with pytest.raises((ValueError, TypeError), match="key"):
        wi.philox4x64_10([[0, 0, 0, 0]], [0, 2**70])


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize("float_dtype", [np.float16, np.float32, np.float64])
def test_float_counter_or_key_raises_type_error_even_when_integral(name, float_dtype):
    fn, dtype, _ = WIDTHS[name]
    with pytest.raises(TypeError, match="counter"):
        fn(np.ones((2, 4), dtype=float_dtype), np.zeros(2, dtype=dtype))
    with pytest.raises(TypeError, match="key"):
        fn(np.ones((2, 4), dtype=dtype), np.ones(2, dtype=float_dtype))


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize(
    "counter, key",
    [
        ("abcd", [0, 0]),
        ([["a", "b", "c", "d"]], [0, 0]),
        ([[0, 0, 0, 0]], ["a", "b"]),
        ([[0, 0, 0, 0]], [1 + 2j, 0]),
        ([[0, 0, 0, 0]], None),
        (None, [0, 0]),
    ],
)
def test_non_integer_counter_or_key_raises_type_error(name, counter, key):
    fn, _, _ = WIDTHS[name]
    with pytest.raises(TypeError):
        fn(counter, key)
