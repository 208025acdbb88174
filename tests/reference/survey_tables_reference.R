# Reference numbers for tests/test_survey_tables.py (the notebooks for any survey).
#
# Run from the repository root:   Rscript tests/reference/survey_tables_reference.R [out_dir]
# Needs R with the Debian packages r-base-core, r-cran-survey, r-cran-haven, r-cran-jsonlite.
# Reads the bundled ANES 1996 (data/raw/anes96/anes96.sav) and the weighted test fixture
# (tests/data/surveys/acme_support_2023.sav) straight from SPSS, with R's own reading of the
# value labels and user-missing codes, and writes survey_tables_reference.json:
#   anes_halves: svyttest(I(x == code) ~ half) and svyttest(y ~ half) on ANES split in odd and
#                even caseid, stacked with the halves as strata (as supportstats.compare_waves),
#                for every answer of the questions 11_compare_waves compares, then p.adjust
#                (holm, BH) over all of them;
#   anes_shares: svyciprop(method = "beta") of every PID answer, unweighted;
#   acme:        svyciprop(method = "beta") and svymean + confint(df = degf) on the fixture's
#                eight kept respondents with its weights, strata and clusters.
suppressMessages({
  library(survey)
  library(haven)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args)) args[1] else "tests/reference"
options(digits = 17)
ref <- list()

# ---------------------------------------------------------------- ANES 1996, two halves
anes <- as.data.frame(zap_labels(read_sav("data/raw/anes96/anes96.sav")))
anes$half <- factor(ifelse(anes$caseid %% 2 == 1, "half 1", "half 2"))
des <- svydesign(ids = ~1, strata = ~half, data = anes)
numbers <- c(popul = "popul", tvnews = "TVnews", age = "age")
levels <- list(selflr = list("selfLR", 1:7), clinlr = list("ClinLR", 1:7), dolelr = list("DoleLR", 1:7),
               pid = list("PID", 0:6), educ = list("educ", 1:7), vote = list("vote", 0:1))
rows <- list()
test_one <- function(column, code, formula) {
  t <- svyttest(formula, des)
  data.frame(column = column, code = code, diff = unname(t$estimate), t = unname(t$statistic),
             df = unname(t$parameter), p = t$p.value)
}
for (name in names(numbers)) {
  rows[[length(rows) + 1]] <- test_one(name, NA, as.formula(paste(numbers[[name]], "~ half")))
}
for (name in names(levels)) {
  raw <- levels[[name]][[1]]
  for (code in levels[[name]][[2]]) {
    rows[[length(rows) + 1]] <- test_one(name, code, as.formula(sprintf("I(%s == %d) ~ half", raw, code)))
  }
}
halves <- do.call(rbind, rows)
rownames(halves) <- NULL
halves$p_holm <- p.adjust(halves$p, "holm")
halves$p_bh <- p.adjust(halves$p, "BH")
ref$anes_halves <- halves

one <- svydesign(ids = ~1, data = anes)
shares <- list()
for (code in 0:6) {
  ci <- svyciprop(as.formula(sprintf("~I(PID == %d)", code)), one, method = "beta")
  shares[[length(shares) + 1]] <- data.frame(code = code, estimate = as.numeric(unclass(ci))[1],
                                             ci_low = unname(attr(ci, "ci")[1]), ci_high = unname(attr(ci, "ci")[2]))
}
ref$anes_shares <- do.call(rbind, shares)

# ---------------------------------------------------------------- the weighted fixture
acme <- as.data.frame(read_sav("tests/data/surveys/acme_support_2023.sav", user_na = FALSE))
acme <- as.data.frame(zap_labels(acme))
# the eight respondents supportstats keeps (docs/survey_definitions.md): no blank row, no
# repeat of A01, not the speeder A06, not the straight-liner A09
acme <- acme[acme$resp_id %in% c("A01", "A02", "A03", "A04", "A05", "A07", "A08", "A10"), ]
acme <- acme[!duplicated(acme$resp_id), ]
acme$south <- acme$region %in% c("South", "Sur")
ades <- svydesign(ids = ~psu, strata = ~stratum, weights = ~wt, data = acme, nest = TRUE)
ci <- svyciprop(~south, ades, method = "beta")
m <- svymean(~wait_minutes, ades, na.rm = TRUE)
mci <- confint(m, df = degf(ades))
ref$acme <- data.frame(
  what = c("region_south", "wait_minutes"),
  estimate = c(as.numeric(unclass(ci))[1], unname(coef(m))),
  se = c(sqrt(as.numeric(attr(ci, "var"))), unname(SE(m))),
  ci_low = c(unname(attr(ci, "ci")[1]), mci[1]),
  ci_high = c(unname(attr(ci, "ci")[2]), mci[2]))

writeLines(toJSON(ref, digits = NA, na = "null", pretty = TRUE),
           file.path(out_dir, "survey_tables_reference.json"))
