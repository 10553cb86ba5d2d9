# This file is part of the MLM suite. See LICENSE for details.
