package lssr

// Search strategies: how a sweep chooses which cells of its grid to run
// (the spec's search.strategy).
const (
	// StrategyGrid runs every cell (the default).
	StrategyGrid = "grid"
	// StrategyLSSR runs reference batch sizes first, fits the scaling
	// rules to them and runs only a band around the predicted best η and
	// stability edge of every other batch size (package search).
	StrategyLSSR = "lssr"
)

// Strategies lists the search strategies, the default first.
var Strategies = []string{StrategyGrid, StrategyLSSR}

// SearchState is what a guided search has decided so far, as `sweep
// status` and the report show it. It is kept on the sweep's record and
// rewritten every round.
type SearchState struct {
	Strategy string `json:"strategy"`
	// Stage is where the search is: "references" (scanning the reference
	// batch sizes), "band" (running the band around the predictions) or
	// "done".
	Stage string `json:"stage"`
	// Round counts the rounds planned so far.
	Round int `json:"round"`
	// References are the batch sizes scanned first.
	References []int `json:"references,omitempty"`
	// Band is the half-width of the band, in octaves of η.
	Band float64 `json:"band,omitempty"`
	// Basis says how the predictions were made, in a sentence.
	Basis string `json:"basis,omitempty"`
	// Predictions are the predicted best η and stability edge per batch
	// size, once the references are done.
	Predictions []SearchPrediction `json:"predictions,omitempty"`
	// Note is a line about the latest round.
	Note string `json:"note,omitempty"`
	// Verdict, once the search is done, says what its runs show: the rule
	// the best η follows, or that no rule fits and why.
	Verdict string `json:"verdict,omitempty"`
}

// SearchPrediction is what the reference batch sizes predict at one batch
// size: the span of the predictors' best log2 η and stability edge (Lo =
// Hi when they agree). NaN-free: a missing prediction has Has* false.
type SearchPrediction struct {
	B       int     `json:"b"`
	HasBest bool    `json:"has_best"`
	BestLo  float64 `json:"best_lo"`
	BestHi  float64 `json:"best_hi"`
	HasEdge bool    `json:"has_edge"`
	EdgeLo  float64 `json:"edge_lo"`
	EdgeHi  float64 `json:"edge_hi"`
}
