package org.vconv.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SGD against PyTorch's update rule, run in double beside it over changing gradients. */
class SgdTest {

  @Test
  void followsTorchSgdWithMomentumAndWeightDecay() {
    Parameter p = new Parameter("weight", 3, 7);
    Random rnd = new Random(4);
    float[] v = p.value().data();
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    double lr = 0.1;
    double mu = 0.9;
    double wd = 0.01;
    double[] ref = GradientCheck.toDouble(v);
    double[] buf = null;
    Sgd sgd = new Sgd(List.of(p), (float) lr, (float) mu, (float) wd);
    for (int step = 0; step < 6; step++) {
      float[] g = p.grad().data();
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) rnd.nextGaussian();
      }
      sgd.step();
      // torch.optim.SGD: d = g + wd * p; buf = d on the first step, else mu * buf + d
      double[] d = new double[ref.length];
      for (int i = 0; i < ref.length; i++) {
        d[i] = g[i] + wd * ref[i];
      }
      if (buf == null) {
        buf = d;
      } else {
        for (int i = 0; i < ref.length; i++) {
          buf[i] = mu * buf[i] + d[i];
        }
      }
      for (int i = 0; i < ref.length; i++) {
        ref[i] -= lr * buf[i];
        assertEquals(ref[i], v[i], 1e-5 * (1 + Math.abs(ref[i])), "step " + step + " i " + i);
      }
    }
  }

  @Test
  void momentumValuesRoundTripAndDriveTheNextStep() {
    Parameter a = new Parameter("weight", 2, 2, 3);
    Parameter b = new Parameter("bias", 0, 4);
    Sgd sgd = new Sgd(List.of(a, b), 0.5f, 0.9f, 0f);
    assertEquals(10, sgd.momentumValues().length);
    float[] m = new float[10];
    for (int i = 0; i < m.length; i++) {
      m[i] = i + 1;
    }
    sgd.setMomentumValues(m);
    assertArrayEquals(m, sgd.momentumValues());
    sgd.step(); // zero gradients: v = 0.9 v, p = -0.5 v
    assertEquals(-0.5f * 0.9f * 1, a.value().data()[0]);
    assertEquals(-0.5f * 0.9f * 10, b.value().data()[3]);
    assertThrows(IllegalArgumentException.class, () -> sgd.setMomentumValues(new float[9]));
  }

  @Test
  void rejectsBadSettings() {
    List<Parameter> ps = List.of(new Parameter("w", 1, 2));
    var e = assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0f, 0.9f, 0f));
    assertEquals("Sgd: learning rate must be finite and > 0, got 0.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1f, 1f, 0f));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1f, 0.5f, -1f));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, Float.NaN, 0.5f, 0f));
  }
}
