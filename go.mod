module ddns-updater

go 1.25
