#!/usr/bin/env python3
"""Generates the straight-line Winograd transform kernels of org.vconv.simd.

Writes src/main/java/org/vconv/simd/{Scalar,Panama}WinogradKernels.java from the matrices of
Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2016): F(2x2,3x3) and
F(4x4,3x3) with the points 0, +-1, +-2 (and infinity). Checks first, in float64, that
A^T [(G g G^T) * (B^T d B)] A is the 3x3 correlation of every tile.
Run from the repository root: python3 scripts/gen_winograd_kernels.py
"""
from fractions import Fraction as Fr
import numpy as np

BT = {
    2: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
    4: [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
}
G = {
    2: [[1, 0, 0], [Fr(1, 2), Fr(1, 2), Fr(1, 2)], [Fr(1, 2), Fr(-1, 2), Fr(1, 2)], [0, 0, 1]],
    4: [[Fr(1, 4), 0, 0], [Fr(-1, 6), Fr(-1, 6), Fr(-1, 6)], [Fr(-1, 6), Fr(1, 6), Fr(-1, 6)],
        [Fr(1, 24), Fr(1, 12), Fr(1, 6)], [Fr(1, 24), Fr(-1, 12), Fr(1, 6)], [0, 0, 1]],
}
AT = {
    2: [[1, 1, 1, 0], [0, 1, -1, -1]],
    4: [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
}


def check(m):
    n = m + 2
    bt, g, at = (np.array(BT[m], float), np.array(G[m], dtype=float), np.array(AT[m], float))
    rng = np.random.default_rng(m)
    for _ in range(20):
        d = rng.standard_normal((n, n))
        w = rng.standard_normal((3, 3))
        y = at @ ((g @ w @ g.T) * (bt @ d @ bt.T)) @ at.T
        ref = np.array([[np.sum(d[i:i + 3, j:j + 3] * w) for j in range(m)] for i in range(m)])
        assert np.allclose(y, ref, atol=1e-9), (m, y, ref)


def transposed(a):
    return [list(r) for r in zip(*a)]


def literal(c):
    """A Java float literal: integers and halves exactly, other fractions as 1f / 6f."""
    c = Fr(c)
    if c.denominator in (1, 2, 4):
        return f"{float(c)!r}f".replace(".0f", "f")
    return f"({c.numerator}f / {c.denominator}f)"


def combine(terms, vector):
    """terms: [(coef, var)] -> an expression summed left to right, no fused multiply-add."""
    out = None
    terms = [t for t in terms if t[0] != 0]
    if terms[0][0] < 0:  # b - a rather than -a + b: the same bits, one operation fewer
        plus = [t for t in terms if t[0] == 1]
        if plus:
            terms.remove(plus[0])
            terms.insert(0, plus[0])
    for c, v in terms:
        if c == 0:
            continue
        lit = literal(c)
        if out is None:
            if c == 1:
                out = v
            elif c == -1:
                out = f"{v}.neg()" if vector else f"-{v}"
            else:
                out = f"{v}.mul({lit})" if vector else f"{v} * {lit}"
        else:
            if c == 1:
                out = f"{out}.add({v})" if vector else f"{out} + {v}"
            elif c == -1:
                out = f"{out}.sub({v})" if vector else f"{out} - {v}"
            else:
                out = f"{out}.add({v}.mul({lit}))" if vector else f"{out} + {v} * {lit}"
    assert out is not None
    return out


def body(lm, rm, load, store, vector, indent):
    """out = lm . X . rm^T: X[k][j] from load(k, j), out[i][j] to store(i, j, expr)."""
    typ = "FloatVector" if vector else "float"
    lines = []
    rows_in, cols_in = len(lm[0]), len(rm[0])
    for k in range(rows_in):
        for j in range(cols_in):
            lines.append(f"{typ} x{k}{j} = {load(k, j)};")
    for i in range(len(lm)):
        for j in range(cols_in):
            lines.append(f"{typ} t{i}{j} = "
                         + combine([(lm[i][k], f"x{k}{j}") for k in range(rows_in)], vector) + ";")
    for i in range(len(lm)):
        for j in range(len(rm)):
            lines.append(store(i, j, combine([(rm[j][k], f"t{i}{k}") for k in range(cols_in)],
                                             vector)))
    return "\n".join(indent + ln for ln in lines)


def methods(vector):
    out = []
    ind = "      "
    for m in (2, 4):
        n = m + 2
        A = transposed(AT[m])
        if vector:
            ld = lambda off: f"FloatVector.fromArray(SPECIES, s, {off})"
        else:
            ld = lambda off: f"s[{off}]"
        # input: V = B^T d B
        def st_in(i, j, e, n=n):
            xi = i * n + j
            return (f"({e}).intoArray(d, dOff + {xi} * ds + c);" if vector
                    else f"d[dOff + {xi} * ds + c] = {e};")
        b = body(BT[m], BT[m], lambda k, j: ld(f"sOff + c + {k} * rp + {j} * cp"), st_in, vector,
                 ind)
        out.append(("input", m, "float[] s, int sOff, int rp, int cp, float[] d, int dOff, int ds,"
                    " int len", b, "s, sOff + c, rp, cp, d, dOff + c, ds, len - c"))
        # output: Y = A^T M A, plus bias, rows x cols of it stored
        def st_out(i, j, e):
            if vector:
                return (f"if ({i} < rows && {j} < cols) {{ ({e}).add(b).intoArray(d, dOff + {i} * rp"
                        f" + {j} * cp + c); }}")
            return f"if ({i} < rows && {j} < cols) {{ d[dOff + {i} * rp + {j} * cp + c] = {e} + b; }}"
        b = body(AT[m], AT[m], lambda k, j, n=n: ld(f"sOff + c + {k * n + j} * ss"), st_out,
                 vector, ind)
        bias_ld = ("FloatVector b = bias == null ? FloatVector.zero(SPECIES)"
                   " : FloatVector.fromArray(SPECIES, bias, bOff + c);" if vector
                   else "float b = bias == null ? 0f : bias[bOff + c];")
        b = ind + bias_ld + "\n" + b
        out.append(("output", m, "float[] s, int sOff, int ss, float[] bias, int bOff, float[] d,"
                    " int dOff, int rp, int cp, int rows, int cols, int len", b,
                    "s, sOff + c, ss, bias, bOff + c, d, dOff + c, rp, cp, rows, cols, len - c"))
        # filter: U = G g G^T, taps g(r, s) at s[sOff + (3r + s) * ts + c]
        b = body(G[m], G[m], lambda k, j: ld(f"sOff + c + {3 * k + j} * ts"), st_in, vector, ind)
        out.append(("filter", m, "float[] s, int sOff, int ts, float[] d, int dOff, int ds, int len",
                    b, "s, sOff + c, ts, d, dOff + c, ds, len - c"))
        # filter gradient: dW = G^T S G, S(xi) at s[sOff + xi * ss + c], taps to d[dOff + tap * ts]
        def st_fg(i, j, e):
            return (f"({e}).intoArray(d, dOff + {3 * i + j} * ts + c);" if vector
                    else f"d[dOff + {3 * i + j} * ts + c] = {e};")
        GT = transposed(G[m])
        b = body(GT, GT, lambda k, j, n=n: ld(f"sOff + c + {k * n + j} * ss"), st_fg, vector, ind)
        out.append(("filterGradient", m, "float[] s, int sOff, int ss, float[] d, int dOff, int ts,"
                    " int len", b, "s, sOff + c, ss, d, dOff + c, ts, len - c"))
        # gradient: Z = A dy A^T
        b = body(A, A, lambda k, j: ld(f"sOff + c + {k} * rp + {j} * cp"), st_in, vector, ind)
        out.append(("gradient", m, "float[] s, int sOff, int rp, int cp, float[] d, int dOff,"
                    " int ds, int len", b, "s, sOff + c, rp, cp, d, dOff + c, ds, len - c"))
    return out


HEADER = """package org.vconv.simd;

{imports}
/**
 * {doc}
 *
 * <p>GENERATED by {{@code scripts/gen_winograd_kernels.py}} from Lavin and Gray's matrices: edit
 * the script, not this file. Every element is a sum in the same order in both providers, with
 * no fused multiply-add, so the scalar and the SIMD kernels give the same bits.
 */
final class {cls} implements WinogradKernels {{
{fields}
  @Override
  public void inputTransform(int m, float[] s, int sOff, int rp, int cp, float[] d, int dOff,
      int ds, int len) {{
    if (m == 2) {{
      input2(s, sOff, rp, cp, d, dOff, ds, len);
    }} else {{
      input4(s, sOff, rp, cp, d, dOff, ds, len);
    }}
  }}

  @Override
  public void outputTransform(int m, float[] s, int sOff, int ss, float[] bias, int bOff,
      float[] d, int dOff, int rp, int cp, int rows, int cols, int len) {{
    if (m == 2) {{
      output2(s, sOff, ss, bias, bOff, d, dOff, rp, cp, rows, cols, len);
    }} else {{
      output4(s, sOff, ss, bias, bOff, d, dOff, rp, cp, rows, cols, len);
    }}
  }}

  @Override
  public void filterTransform(int m, float[] s, int sOff, int ts, float[] d, int dOff, int ds,
      int len) {{
    if (m == 2) {{
      filter2(s, sOff, ts, d, dOff, ds, len);
    }} else {{
      filter4(s, sOff, ts, d, dOff, ds, len);
    }}
  }}

  @Override
  public void filterGradientTransform(int m, float[] s, int sOff, int ss, float[] d, int dOff,
      int ts, int len) {{
    if (m == 2) {{
      filterGradient2(s, sOff, ss, d, dOff, ts, len);
    }} else {{
      filterGradient4(s, sOff, ss, d, dOff, ts, len);
    }}
  }}

  @Override
  public void gradientTransform(int m, float[] s, int sOff, int rp, int cp, float[] d, int dOff,
      int ds, int len) {{
    if (m == 2) {{
      gradient2(s, sOff, rp, cp, d, dOff, ds, len);
    }} else {{
      gradient4(s, sOff, rp, cp, d, dOff, ds, len);
    }}
  }}
"""


def op1d(name, mat):
    """A Panama 1-D transform of one vector column: d[dof + i*ds] = sum_k mat[i][k] s[so + k*ss]."""
    lines = [f"  private static void {name}(float[] s, int so, int ss, float[] d, int dof, int ds) {{"]
    for k in range(len(mat[0])):
        lines.append(f"    FloatVector x{k} = FloatVector.fromArray(SPECIES, s, so + {k} * ss);")
    for i in range(len(mat)):
        e = combine([(mat[i][k], f"x{k}") for k in range(len(mat[0]))], True)
        lines.append(f"    ({e}).intoArray(d, dof + {i} * ds);")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def out1d(name, mat):
    """The output transform's row: plus bias, only the first cols results stored."""
    lines = [f"  private static void {name}(float[] s, int so, int ss, float[] bias, int bOff, float[] d,",
             "      int dof, int ds, int cols) {"]
    for k in range(len(mat[0])):
        lines.append(f"    FloatVector x{k} = FloatVector.fromArray(SPECIES, s, so + {k} * ss);")
    lines.append("    FloatVector b = bias == null ? FloatVector.zero(SPECIES)"
                 " : FloatVector.fromArray(SPECIES, bias, bOff);")
    for i in range(len(mat)):
        e = combine([(mat[i][k], f"x{k}") for k in range(len(mat[0]))], True)
        lines.append(f"    if ({i} < cols) {{")
        lines.append(f"      ({e}).add(b).intoArray(d, dof + {i} * ds);")
        lines.append("    }")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def panama_methods():
    """Two passes through memory, columns then rows, each a small 1-D op: no vector crosses a
    call, so C2 never boxes one even when it stops inlining (a 2-D kernel in one method
    outgrew the inlining budget)."""
    src = ""
    for m in (2, 4):
        n = m + 2
        A = transposed(AT[m])
        GT = transposed(G[m])
        src += op1d(f"bt{m}", BT[m]) + op1d(f"a{m}", A) + op1d(f"at{m}", AT[m])
        src += op1d(f"g{m}", G[m]) + op1d(f"gt{m}", GT[m] if False else GT) + out1d(f"atOut{m}", AT[m])
        def loop(body, tail):
            return ("    int c = 0;\n    for (int bound = SPECIES.loopBound(len); c < bound; c += L) {\n"
                    + body + "    }\n    if (c < len) {\n      " + tail + "\n    }\n")
        # input: columns of d into d's slots (i*n + j), then rows in place
        body = (f"      for (int j = 0; j < {n}; j++) {{\n"
                f"        bt{m}(s, sOff + c + j * cp, rp, d, dOff + c + j * ds, {n} * ds);\n      }}\n"
                f"      for (int i = 0; i < {n}; i++) {{\n"
                f"        bt{m}(d, dOff + c + i * {n} * ds, ds, d, dOff + c + i * {n} * ds, ds);\n      }}\n")
        src += (f"\n  static void input{m}(float[] s, int sOff, int rp, int cp, float[] d, int dOff, int ds,\n"
                f"      int len) {{\n" + loop(body, f"ScalarWinogradKernels.input{m}(s, sOff + c, rp, cp, d, dOff + c, ds, len - c);")
                + "  }\n")
        # output: columns of M in place (rows < m), then rows to the result
        body = (f"      for (int j = 0; j < {n}; j++) {{\n"
                f"        at{m}(s, sOff + c + j * ss, {n} * ss, s, sOff + c + j * ss, {n} * ss);\n      }}\n"
                f"      for (int i = 0; i < rows; i++) {{\n"
                f"        atOut{m}(s, sOff + c + i * {n} * ss, ss, bias, bOff + c, d, dOff + i * rp + c, cp,"
                f" cols);\n      }}\n")
        src += (f"\n  static void output{m}(float[] s, int sOff, int ss, float[] bias, int bOff, float[] d,\n"
                f"      int dOff, int rp, int cp, int rows, int cols, int len) {{\n"
                + loop(body, f"ScalarWinogradKernels.output{m}(s, sOff + c, ss, bias, bOff + c, d, dOff + c, rp, cp, rows, cols, len - c);")
                + "  }\n")
        # filter: taps (3 x 3) to n x n
        body = (f"      for (int j = 0; j < 3; j++) {{\n"
                f"        g{m}(s, sOff + c + j * ts, 3 * ts, d, dOff + c + j * ds, {n} * ds);\n      }}\n"
                f"      for (int i = 0; i < {n}; i++) {{\n"
                f"        g{m}(d, dOff + c + i * {n} * ds, ds, d, dOff + c + i * {n} * ds, ds);\n      }}\n")
        src += (f"\n  static void filter{m}(float[] s, int sOff, int ts, float[] d, int dOff, int ds, int len) {{\n"
                + loop(body, f"ScalarWinogradKernels.filter{m}(s, sOff + c, ts, d, dOff + c, ds, len - c);")
                + "  }\n")
        # filter gradient: S columns in place (rows < 3), then rows to the taps
        body = (f"      for (int j = 0; j < {n}; j++) {{\n"
                f"        gt{m}(s, sOff + c + j * ss, {n} * ss, s, sOff + c + j * ss, {n} * ss);\n      }}\n"
                f"      for (int i = 0; i < 3; i++) {{\n"
                f"        gt{m}(s, sOff + c + i * {n} * ss, ss, d, dOff + c + i * 3 * ts, ts);\n      }}\n")
        src += (f"\n  static void filterGradient{m}(float[] s, int sOff, int ss, float[] d, int dOff, int ts,\n"
                f"      int len) {{\n"
                + loop(body, f"ScalarWinogradKernels.filterGradient{m}(s, sOff + c, ss, d, dOff + c, ts, len - c);")
                + "  }\n")
        # gradient: dy columns (m x m) to d's slots, then rows in place
        body = (f"      for (int j = 0; j < {m}; j++) {{\n"
                f"        a{m}(s, sOff + c + j * cp, rp, d, dOff + c + j * ds, {n} * ds);\n      }}\n"
                f"      for (int i = 0; i < {n}; i++) {{\n"
                f"        a{m}(d, dOff + c + i * {n} * ds, ds, d, dOff + c + i * {n} * ds, ds);\n      }}\n")
        src += (f"\n  static void gradient{m}(float[] s, int sOff, int rp, int cp, float[] d, int dOff, int ds,\n"
                f"      int len) {{\n"
                + loop(body, f"ScalarWinogradKernels.gradient{m}(s, sOff + c, rp, cp, d, dOff + c, ds, len - c);")
                + "  }\n")
    return src


def emit(vector):
    cls = "PanamaWinogradKernels" if vector else "ScalarWinogradKernels"
    if vector:
        imports = ("import jdk.incubator.vector.FloatVector;\n"
                   "import jdk.incubator.vector.VectorSpecies;\n")
        doc = ("{@link WinogradKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}: a\n"
               " * tile's values are vectors across channels; channels past the last full vector\n"
               " * take the scalar kernels. Each 2-D transform is two passes of small 1-D ones through\n"
               " * memory (columns into the destination's slots, then rows in place; the output and\n"
               " * the filter gradient overwrite their source, a scratch of the caller's): no vector\n"
               " * crosses a call, so C2 never boxes one when it stops inlining.")
        fields = ("  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;\n"
                  "  private static final int L = SPECIES.length();\n")
    else:
        imports = ""
        doc = "Plain-loop {@link WinogradKernels}, one channel at a time."
        fields = ""
    src = HEADER.format(imports=imports, doc=doc, cls=cls, fields=fields)
    if vector:
        src += "\n" + panama_methods() + "}\n"
        with open(f"src/main/java/org/vconv/simd/{cls}.java", "w") as f:
            f.write(src)
        return
    for name, m, params, b, tail in methods(vector):
        src += f"\n  static void {name}{m}({params}) {{\n"
        src += "    int c = 0;\n"
        if vector:
            src += "    for (int bound = SPECIES.loopBound(len); c < bound; c += L) {\n"
        else:
            src += "    for (; c < len; c++) {\n"
        src += b + "\n    }\n"
        if vector:
            src += f"    if (c < len) {{\n      ScalarWinogradKernels.{name}{m}({tail});\n    }}\n"
        src += "  }\n"
    src += "}\n"
    with open(f"src/main/java/org/vconv/simd/{cls}.java", "w") as f:
        f.write(src)


if __name__ == "__main__":
    check(2)
    check(4)
    emit(False)
    emit(True)
