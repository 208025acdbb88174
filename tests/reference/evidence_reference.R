# Reference values for supportstats.evidence, computed with base R (stats).
# Run: Rscript tests/reference/evidence_reference.R  (writes evidence_reference.json beside it)
welch <- function(m1, s1, n1, m2, s2, n2) {
  v1 <- s1^2 / n1; v2 <- s2^2 / n2
  t <- (m2 - m1) / sqrt(v1 + v2)
  df <- (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1))
  c(t = t, df = df, p = 2 * pt(-abs(t), df))
}
# a summary-statistics Welch test checked against t.test on data with those exact moments
moments <- function(m, s, n) { z <- scale(seq_len(n))[, 1]; m + s * z }
x <- moments(45, 25, 84); y <- moments(51, 25, 144)
tt <- t.test(y, x, var.equal = FALSE)
out <- list()
out$welch_nps_sd25 <- c(welch(45, 25, 84, 51, 25, 144), t_ttest = unname(tt$statistic), p_ttest = tt$p.value)
out$welch_nps_maxsd <- welch(45, sqrt(145 * 55), 84, 51, sqrt(151 * 49), 144)
out$sd_threshold_nps <- uniroot(function(s) welch(45, s, 84, 51, s, 144)[["p"]] - 0.05, c(1, 80), tol = 1e-10)$root
pt2 <- prop.test(c(84, 144), c(300, 300), correct = FALSE)
out$prop_28_48_300 <- c(chisq = unname(pt2$statistic), p = pt2$p.value)
w <- prop.test(777, 1214, correct = FALSE)$conf.int
out$wilson_777_1214 <- c(low = w[1], high = w[2])
out$t975_299 <- qt(0.975, 299)
out$holm <- p.adjust(c(0.09, 0.19, 0.69, 1e-6), "holm")
out$bh <- p.adjust(c(0.09, 0.19, 0.69, 1e-6), "BH")
json <- paste0("{\n", paste(sprintf('  "%s": [%s]', names(out),
  sapply(out, function(v) paste(sprintf("%.15g", v), collapse = ", "))), collapse = ",\n"), "\n}\n")
cat(json, file = "evidence_reference.json")
cat(R.version.string, "\n")
