package org.vconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** {@code -Dvconv.verbose=plan}: each new plan is logged once, through logger org.vconv. */
class VerbosePlanTest {

  @Test
  void eachNewPlanIsLoggedOnce() {
    Logger log = Logger.getLogger("org.vconv");
    List<String> lines = new ArrayList<>();
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getMessage().startsWith("vconv plan:")) {
          lines.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Level before = log.getLevel();
    log.addHandler(h);
    log.setLevel(Level.INFO);
    String property = System.getProperty("vconv.verbose");
    try {
      // a shape no other test plans, so its line is new in this JVM
      int[] x = {3, 5, 11, 13};
      int[] w = {7, 5, 2, 3};
      Conv2d quiet = Conv2d.of(ConvSpec.builder().dilation(2).build());
      System.clearProperty("vconv.verbose");
      quiet.plan(x, w);
      assertEquals(List.of(), lines, "not asked for");
      System.setProperty("vconv.verbose", "plan");
      Conv2d conv = Conv2d.of(ConvSpec.builder().dilation(2).build()).withThreads(1);
      ConvPlan plan = conv.plan(x, w);
      conv.plan(x, w);
      Conv2d.of(ConvSpec.builder().dilation(2).build()).withThreads(1).plan(x, w);
      assertEquals(1, lines.size(), lines.toString());
      String line = lines.get(0);
      for (ConvPlan.Step s : plan.steps()) {
        assertTrue(line.contains(s.toString()), line);
      }
      assertTrue(line.contains("input [3, 5, 11, 13] weight [7, 5, 2, 3]"), line);
    } finally {
      if (property == null) {
        System.clearProperty("vconv.verbose");
      } else {
        System.setProperty("vconv.verbose", property);
      }
      log.removeHandler(h);
      log.setLevel(before);
    }
  }
}
