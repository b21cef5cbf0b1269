# Golden values for the C++ risk engine, from independent R implementations, on the real NSE data
# in models/data/nse/. Writes tests/golden/risk/*.json, which are committed: CI never needs R.
#
#   Rscript scripts/golden_risk.R            (or scripts/golden_risk.sh, which installs R first)
#
# References: fGarch::garchFit (GARCH(1,1), Gaussian MLE), fGarch::predict (variance forecasts),
# TTR::RSI / TTR::MACD, quadprog::solve.QP (long-only minimum variance and maximum Sharpe),
# base R quantile(type = 7), qnorm/pnorm, cov/cor/var (VaR, beta, covariance).
# The conventions the C++ side must share are stated where they are used.

suppressPackageStartupMessages({
  library(fGarch)
  library(TTR)
  library(quadprog)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
root <- normalizePath(file.path(dirname(script), ".."))
data_dir <- file.path(root, "models", "data", "nse")
out_dir <- file.path(root, "tests", "golden", "risk")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

read_prices <- function(sym, dir = "prices") {
  d <- read.csv(file.path(data_dir, dir, paste0(sym, ".csv")), colClasses = c(date = "character"))
  d[order(d$date), ]
}
events <- read.csv(file.path(data_dir, "events.csv"), colClasses = c(date = "character"))

# Daily log returns; a return ending on an event date of the symbol is set to 0 (series break),
# exactly as the C++ engine does. r[i] ends on dates[i + 1].
adjusted_returns <- function(d, sym) {
  r <- diff(log(d$close))
  ev <- events$date[events$symbol == sym]
  r[d$date[-1] %in% ev] <- 0
  r
}

write_golden <- function(x, name) {
  path <- file.path(out_dir, name)
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, pretty = TRUE), path)
  cat("wrote", path, "\n")
}

meta <- list(
  generator = "scripts/golden_risk.R",
  r_version = R.version.string,
  packages = list(fGarch = as.character(packageVersion("fGarch")), TTR = as.character(packageVersion("TTR")),
                  quadprog = as.character(packageVersion("quadprog")), jsonlite = as.character(packageVersion("jsonlite")))
)

# ------------------------------------------------------------------ GARCH(1,1)
# We demean the last 1000 log returns and fit without a mean (include.mean = FALSE), Gaussian.
# fGarch's default recursion start ("mci") is h_1 = omega + (alpha + beta) * mean(e^2): the C++ fit
# uses the same, so the log-likelihoods are directly comparable.
garch_window <- 1000
garch <- list()
for (sym in c("SCOM", "EQTY", "KCB", "BAMB")) {
  d <- read_prices(sym)
  r <- adjusted_returns(d, sym)
  n <- length(r)
  r <- r[(n - garch_window + 1):n]
  e <- r - mean(r)
  fit <- garchFit(~ garch(1, 1), data = e, include.mean = FALSE, cond.dist = "norm", trace = FALSE)
  cf <- coef(fit)
  sig <- fit@sigma.t
  at <- c(seq(1, garch_window, by = 50), garch_window)
  fc <- predict(fit, n.ahead = 30)$standardDeviation
  garch[[length(garch) + 1]] <- list(
    symbol = sym, n_returns = garch_window,
    first_return_date = d$date[nrow(d) - garch_window + 1], last_date = d$date[nrow(d)],
    mean = mean(r),
    omega = unname(cf["omega"]), alpha = unname(cf["alpha1"]), beta = unname(cf["beta1"]),
    log_likelihood = -fit@fit$llh,
    sigma_index = at - 1,                # 0-based, into the window's returns
    sigma = sig[at],
    forecast_sd = fc                     # sqrt(h_{T+k}), k = 1..30
  )
}
write_golden(list(meta = meta, reference = "fGarch::garchFit(~garch(1,1), include.mean = FALSE, cond.dist = 'norm'); predict(n.ahead = 30)",
                  cases = garch), "garch.json")

# ------------------------------------------------------------------ RSI / MACD
# On the last 300 closes of each symbol (EMA seeds depend on where the series starts).
ind_window <- 300
indicators <- list()
for (sym in c("SCOM", "KCB", "BAMB", "EGAD")) {
  d <- read_prices(sym)
  x <- tail(d$close, ind_window)
  rsi <- as.numeric(RSI(x, n = 14))
  m <- MACD(x, nFast = 12, nSlow = 26, nSig = 9, percent = FALSE)
  keep <- (ind_window - 99):ind_window  # the last 100 values (all past every warm-up)
  indicators[[length(indicators) + 1]] <- list(
    symbol = sym, n_closes = ind_window, last_date = d$date[nrow(d)],
    first_rsi_index = min(which(!is.na(rsi))) - 1, first_macd_index = min(which(!is.na(m[, "macd"]))) - 1,
    first_signal_index = min(which(!is.na(m[, "signal"]))) - 1,
    index = keep - 1, rsi = rsi[keep], macd = as.numeric(m[keep, "macd"]), signal = as.numeric(m[keep, "signal"]))
}
write_golden(list(meta = meta, reference = "TTR::RSI(x, n = 14) (EMA, wilder = TRUE); TTR::MACD(x, 12, 26, 9, percent = FALSE)",
                  cases = indicators), "indicators.json")

# ------------------------------------------------------------------ VaR / ES, beta, drawdown
# Window: last 1000 adjusted returns. Loss = 1 - exp(log return), positive = loss.
# Historical: overlapping h-day sums, quantile type 7, ES = mean loss of the sums <= q.
# Parametric: N(mean * h, sd^2 * h) of the log return, closed-form ES.
nasi <- read_prices("NASI", "indices")
series <- list()
for (sym in c("SCOM", "EQTY", "KCB", "BAMB")) {
  d <- read_prices(sym)
  ra <- adjusted_returns(d, sym)
  r <- tail(ra, 1000)
  var_rows <- list()
  for (h in c(1, 10)) for (level in c(0.95, 0.99)) {
    s <- stats::filter(r, rep(1, h), sides = 1)
    s <- s[!is.na(s)]
    q <- quantile(s, 1 - level, type = 7, names = FALSE)
    var_rows[[length(var_rows) + 1]] <- list(method = "historical", level = level, horizon = h,
                                             var = 1 - exp(q), es = mean(1 - exp(s[s <= q])))
    m <- mean(r) * h
    sd_h <- sd(r) * sqrt(h)
    z <- qnorm(1 - level)
    var_rows[[length(var_rows) + 1]] <- list(method = "parametric", level = level, horizon = h,
                                             var = 1 - exp(m + sd_h * z),
                                             es = 1 - exp(m + sd_h^2 / 2) * pnorm(z - sd_h) / (1 - level))
  }
  # Beta / correlation: inner join on date strings, returns between consecutive common dates.
  j <- merge(d[, c("date", "close")], nasi[, c("date", "close")], by = "date", suffixes = c(".s", ".m"))
  j <- j[order(j$date), ]
  rs <- diff(log(j$close.s)); rm <- diff(log(j$close.m))
  rs[j$date[-1] %in% events$date[events$symbol == sym]] <- 0
  k <- length(rs); use <- max(1, k - 999):k
  # Maximum drawdown over the whole series on the adjusted path close[1] * exp(cumsum(r)).
  p <- d$close[1] * exp(c(0, cumsum(ra)))
  peak <- cummax(p)
  dd <- (peak - p) / peak
  trough <- which.max(dd)
  peak_i <- which.max(p[1:trough])
  series[[length(series) + 1]] <- list(
    symbol = sym, var = var_rows,
    beta = cov(rs[use], rm[use]) / var(rm[use]), correlation = cor(rs[use], rm[use]), beta_returns = length(use),
    max_drawdown = max(dd), peak_date = d$date[peak_i], trough_date = d$date[trough])
}
write_golden(list(meta = meta, reference = "base R: quantile(type = 7), qnorm/pnorm, cov/var/cor on merge(stock, NASI, by = 'date'), cummax",
                  cases = series), "series.json")

# ------------------------------------------------------------------ portfolio QP
# Aligned daily log returns (dates present in every asset), last 750, annualised x 252.
# The exported covariance is what the C++ optimiser is fed, so the comparison isolates the QP.
# NSE 2018-2021 was a falling market: only a few assets have a positive mean, so maximum Sharpe is
# also solved at rf = -0.1 (a different excess-return vector) to exercise an interior solution.
syms <- c("SCOM", "EQTY", "KCB", "EABL", "BAT", "COOP", "ABSA", "SMER", "WTK", "CARB")
j <- NULL
for (sym in syms) {
  d <- read_prices(sym)[, c("date", "close")]
  names(d)[2] <- sym
  j <- if (is.null(j)) d else merge(j, d, by = "date")
}
j <- j[order(j$date), ]
R <- apply(as.matrix(j[, syms]), 2, function(x) diff(log(x)))
for (sym in syms) R[j$date[-1] %in% events$date[events$symbol == sym], sym] <- 0
T <- nrow(R); use <- (T - 749):T
R <- R[use, ]
S <- cov(R) * 252
mu <- colMeans(R) * 252
n <- length(syms)

# Ledoit-Wolf / Schafer-Strimmer intensity towards the diagonal, an R transcription of the formula
# in docs/risk.md (a cross-implementation check of the C++ code, not an independent reference).
X <- sweep(R, 2, colMeans(R))
W <- crossprod(X)
Tn <- nrow(X)
V <- (crossprod(X^2) - W^2 / Tn) * Tn / (Tn - 1)^3   # Var(s_ij)
S2 <- W^2 / (Tn - 1)^2                               # s_ij^2
lw <- min(1, max(0, (sum(V) - sum(diag(V))) / (sum(S2) - sum(diag(S2)))))

min_var <- function(Sigma) {
  k <- ncol(Sigma)
  solve.QP(Dmat = Sigma, dvec = rep(0, k), Amat = cbind(rep(1, k), diag(k)), bvec = c(1, rep(0, k)), meq = 1)$solution
}
# Maximum Sharpe, long-only: min y' S y s.t. (mu - rf)' y = 1, y >= 0; w = y / sum(y).
max_sharpe <- function(Sigma, mu, rf) {
  k <- ncol(Sigma)
  y <- solve.QP(Dmat = Sigma, dvec = rep(0, k), Amat = cbind(mu - rf, diag(k)), bvec = c(1, rep(0, k)), meq = 1)$solution
  y / sum(y)
}
shrunk <- (1 - 0.3) * S; diag(shrunk) <- diag(S)
qp_cases <- list(
  list(name = "sample", cov = unname(S), mean = unname(mu),
       min_variance = min_var(S), max_sharpe = list(list(rf = 0, weights = max_sharpe(S, mu, 0)),
                                                     list(rf = -0.1, weights = max_sharpe(S, mu, -0.1)))),
  list(name = "shrunk_0.3", cov = unname(shrunk), mean = unname(mu),
       min_variance = min_var(shrunk), max_sharpe = list(list(rf = 0, weights = max_sharpe(shrunk, mu, 0)),
                                                          list(rf = -0.1, weights = max_sharpe(shrunk, mu, -0.1))))
)
write_golden(list(meta = meta, reference = "quadprog::solve.QP; cov(); colMeans()",
                  symbols = syms, window = 750, first_date = j$date[-1][use[1]], last_date = j$date[nrow(j)],
                  sample_cov = unname(S), mean = unname(mu), lw_intensity = lw, cases = qp_cases), "portfolio.json")

# ------------------------------------------------------------------ composite risk score
# The original service's definition (numpy): volatility = np.std(prices[-30:]) / np.mean(prices[-30:])
# (np.std: population sd, divisor n); price swing = (max - min) / mean of prices[-7:]. Scores
# min(100, 200 v) and min(100, 150 s). Volume: sd (divisor n - 1) / mean of the last 30 volumes
# (sqrt(30) when every one is 0; unavailable with an NA among them). Trend: |lm slope of log close
# on 0..29| x 30. max_rolling_swing (no weight): the widest 7-row swing inside the 30 rows.
pop_sd <- function(x) sqrt(mean((x - mean(x))^2))
score_cases <- list()
for (f in sort(list.files(file.path(data_dir, "prices"), pattern = "[.]csv$"))) {
  sym <- sub("[.]csv$", "", f)
  d <- read_prices(sym)
  if (nrow(d) < 30) next
  x <- tail(d$close, 30)
  v <- pop_sd(x) / mean(x)
  x7 <- tail(x, 7)
  s <- (max(x7) - min(x7)) / mean(x7)
  rolling <- max(sapply(1:24, function(k) { w <- x[k:(k + 6)]; (max(w) - min(w)) / mean(w) }))
  vol <- tail(d$volume, 30)
  vol_ok <- !any(is.na(vol))
  cv <- if (!vol_ok) 0 else if (mean(vol) > 0) sd(vol) / mean(vol) else sqrt(30)
  t <- 0:29
  g <- abs(unname(coef(lm(log(x) ~ t))[2])) * 30
  sc <- c(min(100, 200 * v), min(100, 150 * s), if (vol_ok) min(100, 50 * cv) else 0, min(100, 500 * g))
  wt <- c(0.4, 0.3, if (vol_ok) 0.2 else 0, 0.1)
  score_cases[[length(score_cases) + 1]] <- list(
    symbol = sym, last_date = d$date[nrow(d)],
    volatility = v, price_swing = s, volume_volatility = cv, volume_available = vol_ok, trend_strength = g,
    max_rolling_swing = rolling, scores = sc, total = sum(wt * sc) / sum(wt))
}
write_golden(list(meta = meta, reference = "the original service's numpy formulas: np.std (divisor n) of the last 30 closes / their mean; (max - min) / mean of the last 7; base R lm for the trend",
                  window = 30, swing_window = 7, cases = score_cases), "score.json")
