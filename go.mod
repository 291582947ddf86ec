module ddns-updater

go 1.25.0

require golang.org/x/sys v0.47.0

require (
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
	github.com/emersion/go-smtp v0.25.1
	go.uber.org/goleak v1.3.0
)
