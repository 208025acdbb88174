# Reference numbers for tests/test_estimate.py, test_significance.py and test_weights.py.
#
# Run from the repository root:   Rscript tests/reference/make_reference.R [out_dir]
# Needs R with the Debian packages r-base-core, r-cran-survey, r-cran-pwr, r-cran-jsonlite.
# Writes tests/reference/api_strat.csv, api_clus1.csv (R's `api` example data, the columns
# we use), rake_*.csv and reference.json. The Python tests read only these files, so they
# run without R; tests marked `needs_r` re-run this script when Rscript is present.
suppressMessages({
  library(survey)
  library(pwr)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args)) args[1] else "tests/reference"
options(digits = 17)

# ---------------------------------------------------------------- data (exported, then re-read
# so that R and Python use exactly the same numbers)
data(api)
add_cols <- function(d) {
  d$yes <- as.integer(d$sch.wide == "Yes")
  d$meals3 <- as.character(cut(d$meals, c(-1, 33, 66, 101), labels = c("low", "mid", "high")))
  d$api00_na <- ifelse(seq_len(nrow(d)) %% 7 == 0, NA, d$api00)
  d
}
keep <- c("cds", "stype", "sch.wide", "comp.imp", "awards", "both", "api00", "api99",
          "enroll", "meals", "yes", "meals3", "api00_na", "pw", "fpc")
s <- add_cols(apistrat)
write.csv(s[, c(keep[1:11], "snum", keep[12:15])], file.path(out_dir, "api_strat.csv"), row.names = FALSE)
c1 <- add_cols(apiclus1)
write.csv(c1[, c(keep[1:11], "dnum", "snum", keep[12:15])], file.path(out_dir, "api_clus1.csv"), row.names = FALSE)
s <- read.csv(file.path(out_dir, "api_strat.csv"))
c1 <- read.csv(file.path(out_dir, "api_clus1.csv"))

ref <- list()

# ---------------------------------------------------------------- single proportions
cases <- data.frame(x = c(81, 15, 0, 1, 29, 5, 0, 1, 7, 48, 150, 3),
                    n = c(263, 148, 20, 29, 29, 10, 1, 1, 50, 100, 300, 7))
rows <- list()
for (level in c(0.95, 0.90, 0.99)) {
  z <- qnorm(1 - (1 - level) / 2)
  for (i in seq_len(nrow(cases))) {
    x <- cases$x[i]; n <- cases$n[i]
    w <- suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = level)$conf.int)
    # prop.test drops the correction when |x - n p0| < 0.5; pick p0 away from x/n.
    p0 <- if (abs(x - n / 2) >= 0.5) 0.5 else 0.01
    wc <- suppressWarnings(prop.test(x, n, p = p0, correct = TRUE, conf.level = level)$conf.int)
    cp <- binom.test(x, n, conf.level = level)$conf.int
    nt <- n + z^2; pt <- (x + z^2 / 2) / nt
    ac <- c(max(0, pt - z * sqrt(pt * (1 - pt) / nt)), min(1, pt + z * sqrt(pt * (1 - pt) / nt)))
    jf <- c(if (x == 0) 0 else qbeta((1 - level) / 2, x + 0.5, n - x + 0.5),
            if (x == n) 1 else qbeta(1 - (1 - level) / 2, x + 0.5, n - x + 0.5))
    for (m in list(list("wilson", w), list("wilson-cc", wc), list("clopper-pearson", cp),
                   list("agresti-coull", ac), list("jeffreys", jf))) {
      rows[[length(rows) + 1]] <- data.frame(x = x, n = n, level = level, method = m[[1]],
                                             ci_low = m[[2]][1], ci_high = m[[2]][2])
    }
  }
}
ref$proportion_ci <- do.call(rbind, rows)

# ---------------------------------------------------------------- two independent proportions
pairs <- data.frame(x1 = c(56, 9, 6, 5, 10, 120, 15, 0), n1 = c(70, 10, 7, 56, 10, 300, 40, 10),
                    x2 = c(48, 3, 2, 0, 0, 150, 25, 0), n2 = c(80, 10, 7, 29, 20, 300, 45, 20))
rows <- list()
for (i in seq_len(nrow(pairs))) {
  p <- pairs[i, ]
  x <- c(p$x1, p$x2); n <- c(p$n1, p$n2)
  z <- suppressWarnings(prop.test(x, n, correct = FALSE))
  y <- suppressWarnings(prop.test(x, n, correct = TRUE))
  f <- fisher.test(matrix(c(p$x2, p$n2 - p$x2, p$x1, p$n1 - p$x1), nrow = 2, byrow = TRUE))
  rows[[i]] <- data.frame(p, z_chi2 = unname(z$statistic), z_p = z$p.value,
                          yates_chi2 = unname(y$statistic), yates_p = y$p.value,
                          fisher_p = f$p.value, fisher_or = unname(f$estimate))
}
ref$compare_proportions <- do.call(rbind, rows)

# ---------------------------------------------------------------- means from summaries
set.seed(20240601)
exact_sample <- function(m, s, n) { z <- rnorm(n); (z - mean(z)) / sd(z) * s + m }
summ <- data.frame(mean1 = c(78, 45, 10, 81), sd1 = c(15, 40, 2, 9), n1 = c(300, 25, 5, 120),
                   mean2 = c(89, 51, 12, 89), sd2 = c(12, 35, 6, 14), n2 = c(300, 30, 8, 310))
rows <- list()
for (i in seq_len(nrow(summ))) {
  r <- summ[i, ]
  y1 <- exact_sample(r$mean1, r$sd1, r$n1); y2 <- exact_sample(r$mean2, r$sd2, r$n2)
  for (ev in c(FALSE, TRUE)) {
    t <- t.test(y2, y1, var.equal = ev)
    rows[[length(rows) + 1]] <- data.frame(r, equal_var = ev, statistic = unname(t$statistic),
                                           df = unname(t$parameter), p_value = t$p.value,
                                           ci_low = t$conf.int[1], ci_high = t$conf.int[2])
  }
}
ref$compare_means <- do.call(rbind, rows)

# ---------------------------------------------------------------- power: Cohen's h
mdd <- data.frame(p1 = c(0.5, 0.3, 0.75, 0.1), n1 = c(300, 300, 1200, 50), n2 = c(300, 1200, 1200, 80))
mdd$h <- mapply(function(a, b) pwr.2p2n.test(n1 = a, n2 = b, sig.level = 0.05, power = 0.8)$h,
                mdd$n1, mdd$n2)
ref$min_detectable_difference <- mdd

# ---------------------------------------------------------------- McNemar + paired interval
tabs <- data.frame(n11 = c(15, 40, 12, 30), n10 = c(5, 30, 2, 0), n01 = c(12, 12, 9, 0), n00 = c(18, 118, 7, 10))
rows <- list()
for (i in seq_len(nrow(tabs))) {
  t <- tabs[i, ]
  b <- t$n10; cc <- t$n01; n <- sum(t)
  m <- mcnemar.test(matrix(c(t$n11, t$n01, t$n10, t$n00), 2))
  ex <- if (b + cc > 0) binom.test(min(b, cc), b + cc)$p.value else 1
  # Newcombe (1998b) method 10, written out independently of the Python code.
  pa <- (t$n11 + t$n10) / n; pb <- (t$n11 + t$n01) / n
  wa <- suppressWarnings(prop.test(t$n11 + t$n10, n, correct = FALSE)$conf.int)
  wb <- suppressWarnings(prop.test(t$n11 + t$n01, n, correct = FALSE)$conf.int)
  den <- (t$n11 + t$n10) * (t$n01 + t$n00) * (t$n11 + t$n01) * (t$n10 + t$n00)
  phi <- if (den == 0) 0 else (t$n11 * t$n00 - t$n10 * t$n01) / sqrt(den)
  th <- pb - pa   # reported direction: b minus a
  lo <- th - sqrt(max(0, (pb - wb[1])^2 - 2 * phi * (pb - wb[1]) * (wa[2] - pa) + (wa[2] - pa)^2))
  hi <- th + sqrt(max(0, (wb[2] - pb)^2 - 2 * phi * (wb[2] - pb) * (pa - wa[1]) + (pa - wa[1])^2))
  rows[[i]] <- data.frame(t, chi2 = if (b + cc > 0) unname(m$statistic) else NA,
                          chi2_p = if (b + cc > 0) m$p.value else NA, exact_p = ex,
                          ci_low = lo, ci_high = hi)
}
ref$paired <- do.call(rbind, rows)

# McNemar at the extreme overlaps two published margins allow (64% and 55% of 1,200)
xa <- round(0.64 * 1200); xb <- round(0.55 * 1200)
ref$mcnemar_margins <- do.call(rbind, lapply(c(max(0, xa + xb - 1200), min(xa, xb) - 50), function(both) {
  m <- mcnemar.test(matrix(c(both, xb - both, xa - both, 1200 - xa - xb + both), 2))
  data.frame(n_both = both, statistic = unname(m$statistic), p_value = m$p.value)
}))

# ---------------------------------------------------------------- 2x2: risk and odds ratios
# Katz log interval (risk ratio), Woolf logit interval (odds ratio), written out by hand;
# 0.5 is added to every cell when one is empty (Haldane-Anscombe).
rows <- list()
for (t in list(c(30, 10, 15, 25), c(12, 88, 3, 97), c(40, 0, 20, 20))) {
  a <- t[1]; b <- t[2]; cc <- t[3]; d <- t[4]
  if (any(t == 0)) { a <- a + .5; b <- b + .5; cc <- cc + .5; d <- d + .5 }
  z <- qnorm(0.975)
  rr <- (a / (a + b)) / (cc / (cc + d)); se_rr <- sqrt(1 / a - 1 / (a + b) + 1 / cc - 1 / (cc + d))
  or <- a * d / (b * cc); se_or <- sqrt(1 / a + 1 / b + 1 / cc + 1 / d)
  rows[[length(rows) + 1]] <- data.frame(a = t[1], b = t[2], c = t[3], d = t[4], rr = rr,
    rr_low = rr * exp(-z * se_rr), rr_high = rr * exp(z * se_rr), or = or,
    or_low = or * exp(-z * se_or), or_high = or * exp(z * se_or))
}
ref$two_by_two <- do.call(rbind, rows)

# ---------------------------------------------------------------- multiple testing
pv <- c(0.01, 0.04, 0.03, 0.005, 0.2, NA, 0.5, 0.049)
ref$p_adjust <- list(p = pv, holm = p.adjust(pv, "holm"), bonferroni = p.adjust(pv, "bonferroni"),
                     bh = p.adjust(pv, "BH"), by = p.adjust(pv, "BY"))

# ---------------------------------------------------------------- design-based estimates
designs <- list(
  strat_fpc = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = s),
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = s),
  weights_only = svydesign(id = ~1, weights = ~pw, data = s),
  unweighted = suppressWarnings(svydesign(id = ~1, data = s)),
  clus1_fpc = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = c1),
  clus1 = svydesign(id = ~dnum, weights = ~pw, data = c1)
)
kish <- function(w) sum(w)^2 / sum(w^2)
wilson <- function(p, n, level = 0.95) {
  z <- qnorm(1 - (1 - level) / 2)
  c((p + z^2 / (2 * n) - z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))) / (1 + z^2 / n),
    (p + z^2 / (2 * n) + z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))) / (1 + z^2 / n))
}
rows <- list()
extra_cols <- c("ci_low_t", "ci_high_t", "df", "n_eff", "wilson_kish_low", "wilson_kish_high",
                "beta_low", "beta_high")
add <- function(design_name, variable, by, est, se, extra = list()) {
  full <- setNames(lapply(extra_cols, function(k) if (is.null(extra[[k]])) NA else unname(extra[[k]])),
                   extra_cols)
  rows[[length(rows) + 1]] <<- data.frame(design = design_name, variable = variable, by = by,
                                          group = names(est), estimate = unname(est),
                                          se = unname(se), full)
}
for (dn in names(designs)) {
  d <- designs[[dn]]
  w <- weights(d)
  for (v in c("api00", "yes", "api00_na")) {
    f <- as.formula(paste0("~", v))
    m <- svymean(f, d, na.rm = TRUE)
    ci <- confint(m, df = degf(d))
    ok <- !is.na(d$variables[[v]])
    extra <- list(ci_low_t = ci[1], ci_high_t = ci[2], df = degf(d), n_eff = kish(w[ok]))
    if (v == "yes") {
      wl <- wilson(coef(m), kish(w))
      kg <- svyciprop(~yes, d, method = "beta")
      extra <- c(extra, list(wilson_kish_low = wl[1], wilson_kish_high = wl[2],
                             beta_low = unname(attr(kg, "ci")[1]), beta_high = unname(attr(kg, "ci")[2])))
    }
    add(dn, v, "", setNames(coef(m), "all"), SE(m), extra)
    for (by in c("stype", "awards", "stype+awards")) {
      b <- svyby(f, as.formula(paste0("~", by)), d, svymean, na.rm = TRUE)
      g <- if (by == "stype+awards") paste(b$stype, b$awards, sep = "|") else as.character(b[[1]])
      keys <- if (by == "stype+awards") paste(d$variables$stype, d$variables$awards, sep = "|")
              else as.character(d$variables[[by]])
      neff <- sapply(g, function(k) kish(w[keys == k & ok]))
      add(dn, v, by, setNames(coef(b), g), SE(b), list(n_eff = neff))
    }
  }
}
ref$survey_means <- do.call(rbind, rows)

# ---------------------------------------------------------------- Rao-Scott
rows <- list()
for (dn in names(designs)) {
  d <- designs[[dn]]
  for (tab in list(c("sch.wide", "stype"), c("meals3", "stype"), c("awards", "both"))) {
    f <- as.formula(paste0("~", tab[1], "+", tab[2]))
    F <- svychisq(f, d, statistic = "F")
    C <- svychisq(f, d, statistic = "Chisq")
    rows[[length(rows) + 1]] <- data.frame(
      design = dn, row = tab[1], col = tab[2], F = unname(F$statistic), ndf = unname(F$parameter[1]),
      ddf = unname(F$parameter[2]), F_p = F$p.value, pearson_x2 = unname(C$statistic),
      chisq_df = unname(C$parameter), chisq_p = C$p.value)
  }
}
ref$svychisq <- do.call(rbind, rows)
tab <- table(s$meals3, s$stype)
pc <- chisq.test(tab, correct = FALSE)
ref$pearson <- list(row = "meals3", col = "stype", statistic = unname(pc$statistic),
                    df = unname(pc$parameter), p_value = pc$p.value)

# ---------------------------------------------------------------- raking
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_sw <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1100, 5094))
pop_aw <- data.frame(awards = c("No", "Yes"), Freq = c(2400, 3794))
ctrl <- list(maxit = 200, epsilon = 1e-12)
r1 <- rake(designs$weights_only, list(~stype, ~sch.wide), list(pop_stype, pop_sw), control = ctrl)
write.csv(data.frame(cds = s$cds, weight = weights(r1)), file.path(out_dir, "rake_strat.csv"), row.names = FALSE)
d0 <- suppressWarnings(svydesign(id = ~1, data = c1))
r2 <- rake(d0, list(~stype, ~sch.wide, ~awards), list(pop_stype, pop_sw, pop_aw), control = ctrl)
write.csv(data.frame(cds = c1$cds, weight = weights(r2)), file.path(out_dir, "rake_clus1.csv"), row.names = FALSE)
ref$rake_margins <- list(stype = as.list(setNames(pop_stype$Freq, pop_stype$stype)),
                         sch.wide = as.list(setNames(pop_sw$Freq, pop_sw$sch.wide)),
                         awards = as.list(setNames(pop_aw$Freq, pop_aw$awards)))

# ================================================================ issue 9: design-based analysis
# apiclus2 (two-stage sample of districts, then schools): used as a second, independent "wave".
c2 <- apiclus2
c2$yes <- as.integer(c2$sch.wide == "Yes")
write.csv(c2[, c("cds", "dnum", "snum", "stype", "sch.wide", "comp.imp", "awards", "api00", "yes", "pw", "fpc1")],
          file.path(out_dir, "api_clus2.csv"), row.names = FALSE)
c2 <- read.csv(file.path(out_dir, "api_clus2.csv"))
finite_or_na <- function(x) ifelse(is.finite(x), x, NA)
plain <- function(d) { rownames(d) <- NULL; d }   # no row names in the JSON

# ---------------------------------------------------------------- Korn-Graubard (svyciprop beta)
# overall and by domain (svyby subsets the design: n - 1 and degf are the domain's)
rows <- list()
for (dn in names(designs)) {
  d <- designs[[dn]]
  for (level in c(0.95, 0.90)) {
    kg <- svyciprop(~yes, d, method = "beta", level = level)
    rows[[length(rows) + 1]] <- data.frame(design = dn, by = "", group = "all", level = level,
      estimate = as.numeric(unclass(kg))[1], ci_low = unname(attr(kg, "ci")[1]), ci_high = unname(attr(kg, "ci")[2]))
    b <- svyby(~yes, ~stype, d, svyciprop, method = "beta", level = level, vartype = "ci")
    rows[[length(rows) + 1]] <- data.frame(design = dn, by = "stype", group = as.character(b$stype),
      level = level, estimate = unname(b$yes), ci_low = unname(b$ci_l), ci_high = unname(b$ci_u))
  }
}
ref$svyciprop_beta <- plain(do.call(rbind, rows))

# ---------------------------------------------------------------- design effects and domain df
# deff = TRUE (SRS without replacement from N = sum of weights) and deff = "replace"
rows <- list()
for (dn in names(designs)) {
  d <- designs[[dn]]
  for (v in c("api00", "yes", "api00_na")) {
    f <- as.formula(paste0("~", v))
    m1 <- svymean(f, d, na.rm = TRUE, deff = TRUE)
    m2 <- svymean(f, d, na.rm = TRUE, deff = "replace")
    ok <- !is.na(d$variables[[v]])
    rows[[length(rows) + 1]] <- data.frame(design = dn, variable = v, by = "", group = "all",
      deff_true = finite_or_na(unname(deff(m1))), deff_replace = unname(deff(m2)), degf = degf(d[ok, ]))
    b1 <- svyby(f, ~stype, d, svymean, na.rm = TRUE, deff = TRUE)
    b2 <- svyby(f, ~stype, d, svymean, na.rm = TRUE, deff = "replace")
    g <- as.character(b1$stype)
    rows[[length(rows) + 1]] <- data.frame(design = dn, variable = v, by = "stype", group = g,
      deff_true = finite_or_na(unname(b1[[paste0("DEff.", v)]])), deff_replace = unname(b2[[paste0("DEff.", v)]]),
      degf = sapply(g, function(k) degf(d[ok & d$variables$stype == k, ])))
  }
}
ref$deff <- plain(do.call(rbind, rows))

# ---------------------------------------------------------------- svyttest: two groups
tt <- function(case, dn, d, f) {
  t <- svyttest(f, d)
  data.frame(case = case, design = dn, formula = deparse(f), estimate = unname(t$estimate),
             statistic = unname(t$statistic), df = unname(t$parameter), p_value = t$p.value,
             ci_low = t$conf.int[1], ci_high = t$conf.int[2])
}
ref$svyttest <- plain(rbind(
  tt("groups", "clus1", designs$clus1, api00 ~ sch.wide),
  tt("groups", "clus1_fpc", designs$clus1_fpc, api00 ~ awards),
  tt("groups", "clus1", designs$clus1, yes ~ comp.imp),
  tt("groups", "strat_fpc", designs$strat_fpc, api00 ~ awards),
  tt("groups", "strat", designs$strat, yes ~ awards),
  tt("groups", "weights_only", designs$weights_only, api00_na ~ comp.imp),
  tt("groups", "unweighted", designs$unweighted, api00 ~ awards),
  # a pair of a three-level factor: svyttest on the design restricted to the two groups
  tt("pair E-M", "clus1", subset(designs$clus1, stype %in% c("E", "M")), api00 ~ stype),
  tt("pair E-M", "strat_fpc", subset(designs$strat_fpc, stype %in% c("E", "M")), api00 ~ stype)))
# the same pairs' SEs from one svyglm on all three levels (same SE, df degf - 2)
g3 <- svyglm(api00 ~ stype, designs$clus1)
ref$svyglm_stype_clus1 <- list(coef = as.list(coef(g3)), se = as.list(SE(g3)),
  se_m_minus_h = as.numeric(SE(svycontrast(g3, c(0, -1, 1)))))

# ---------------------------------------------------------------- two independent waves, stacked
cols <- c("cds", "dnum", "stype", "api00", "yes", "pw")
st <- rbind(cbind(c1[, cols], wave = "a"), cbind(c2[, cols], wave = "b"))
st$psu <- paste(st$wave, st$dnum)
stacked <- svydesign(id = ~psu, strata = ~wave, weights = ~pw, data = st)
st0 <- rbind(cbind(s[, c("cds", "api00", "yes")], wave = "a"), cbind(c2[, c("cds", "api00", "yes")], wave = "b"))
stacked0 <- suppressWarnings(svydesign(id = ~1, strata = ~wave, data = st0))
ref$svyttest_waves <- plain(rbind(
  tt("waves clus1 vs clus2", "cluster=dnum, weight=pw", stacked, api00 ~ wave),
  tt("waves clus1 vs clus2", "cluster=dnum, weight=pw", stacked, yes ~ wave),
  tt("waves strat vs clus2", "unweighted", stacked0, api00 ~ wave)))

# ---------------------------------------------------------------- svychisq with missing values
# R scales the weighted table to all rows (N = nrow), missing ones included; F and p do not move.
s_na <- s
s_na$meals3[seq(1, nrow(s_na), 9)] <- NA
d_na <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = s_na)
F_na <- svychisq(~meals3 + stype, d_na, statistic = "F")
C_na <- svychisq(~meals3 + stype, d_na, statistic = "Chisq")
ref$svychisq_na <- list(missing_every = 9, rows = nrow(s_na), missing = sum(is.na(s_na$meals3)),
  pearson_x2 = unname(C_na$statistic), chisq_p = C_na$p.value, F = unname(F_na$statistic),
  ndf = unname(F_na$parameter[1]), ddf = unname(F_na$parameter[2]), F_p = F_na$p.value)

# ---------------------------------------------------------------- raking with calibrated SEs
# population margins from apipop; converged (R's default rake control stops after one
# sweep within epsilon = 1 school)
pop_types <- as.data.frame(table(stype = apipop$stype))
pop_awards <- as.data.frame(table(awards = apipop$awards))
conv <- list(maxit = 1000, epsilon = 1e-12)
d_w <- svydesign(id = ~1, weights = ~pw, data = s)
rk <- rake(d_w, list(~stype, ~awards), list(pop_types, pop_awards), control = conv)
cb <- calibrate(d_w, list(~stype, ~awards), list(pop_types, pop_awards), calfun = "raking",
                maxit = 1000, epsilon = 1e-12)
fx <- svydesign(id = ~1, weights = ~w, data = transform(s, w = weights(rk)))
d_c1 <- svydesign(id = ~dnum, weights = ~pw, data = c1)
rk_c1 <- rake(d_c1, list(~stype, ~awards), list(pop_types, pop_awards), control = conv)
cb_c1 <- calibrate(d_c1, list(~stype, ~awards), list(pop_types, pop_awards), calfun = "raking",
                   maxit = 1000, epsilon = 1e-12)
rows <- list()
for (case in list(list("strat rake", rk), list("strat calibrate", cb), list("strat fixed", fx),
                  list("clus1 rake", rk_c1), list("clus1 calibrate", cb_c1))) {
  d <- case[[2]]
  for (v in c("api00", "yes", "stype")) {
    m <- svymean(as.formula(paste0("~", v)), d)
    rows[[length(rows) + 1]] <- data.frame(case = case[[1]], variable = v, by = "",
      group = names(coef(m)), estimate = unname(coef(m)), se = unname(SE(m)))
  }
  b <- svyby(~api00, ~sch.wide, d, svymean)
  rows[[length(rows) + 1]] <- data.frame(case = case[[1]], variable = "api00", by = "sch.wide",
    group = as.character(b$sch.wide), estimate = unname(coef(b)), se = unname(SE(b)))
}
ref$raking_se <- plain(do.call(rbind, rows))
ref$raking_inputs <- list(
  margins = list(stype = as.list(setNames(pop_types$Freq, pop_types$stype)),
                 awards = as.list(setNames(pop_awards$Freq, pop_awards$awards))),
  weights_strat = unname(weights(rk)), weights_strat_calibrate = unname(weights(cb)),
  weights_clus1 = unname(weights(rk_c1)), weights_clus1_calibrate = unname(weights(cb_c1)),
  default_control_weights_strat = unname(weights(rake(d_w, list(~stype, ~awards),
                                                      list(pop_types, pop_awards)))))

ref$versions <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
                     pwr = as.character(packageVersion("pwr")))
writeLines(toJSON(ref, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(out_dir, "reference.json"))
cat("wrote", file.path(out_dir, "reference.json"), "\n")
