from residency.cli.main import run

run()
