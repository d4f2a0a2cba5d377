# `make test` is the project's one test command (README.md; .ci/run calls it).
.PHONY: demo test install services schema-init

# The README's first command: embedded stores, the bundled samples, the explorer on :8004.
demo:
	bash deploy/local/demo.sh $(ARGS)

test:
	bash deploy/local/test.sh $(ARGS)

install:
	bash deploy/local/install.sh

services: install
	.venv/bin/discogsography services start

schema-init: install
	.venv/bin/discogsography schema-init
