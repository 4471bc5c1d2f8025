# Regenerates the .npy fixtures NpyTest reads (run with the torch python's NumPy):
#   $(scripts/torch-python) src/test/resources/org/vconv/cli/npy/make_fixtures.py
# The values are the ones NpyTest expects; change both together.
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
def path(name):
    return os.path.join(here, name)

values = [[-1.5, 0.0, 2.25], [7.0, -0.125, 1e6]]
ints = [[-3, 0, 7], [16777217, -2147483648, 2147483647]]   # 2**24+1 rounds in float32
np.save(path("f4.npy"), np.array(values, dtype="<f4"))
np.save(path("f8.npy"), np.array(values, dtype="<f8"))
np.save(path("i4.npy"), np.array(ints, dtype="<i4"))
np.save(path("i8.npy"), np.array(ints, dtype="<i8"))
np.save(path("scalar.npy"), np.array(3.5, dtype="<f4"))                       # 0-d
np.save(path("empty.npy"), np.zeros((0, 3), dtype="<f4"))
for version in (2, 3):
    with open(path("v%d.npy" % version), "wb") as f:
        np.lib.format.write_array(f, np.array(values, dtype="<f4"), version=(version, 0))
np.save(path("fortran.npy"), np.asfortranarray(np.array(values, dtype="<f4")))
np.save(path("big-endian.npy"), np.array(values, dtype=">f4"))
np.save(path("float16.npy"), np.array(values, dtype="<f2"))
np.save(path("structured.npy"), np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
