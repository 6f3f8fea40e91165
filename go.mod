module github.com/cloudpage-gate/gate

go 1.26.8

require (
	github.com/google/go-cmp v0.7.0
	github.com/syumai/workers v0.32.0
	github.com/tidwall/gjson v1.20.4
)

require (
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.3.0 // indirect
)
