"""The names of the settings (environment variables) the infrastructure gives the handlers.

Named here once: the handlers read them, and residency's constructs import these names to set them.
"""

HOME_REGION = "HOME_REGION"  # the region the function runs in, and whose users it serves
DIRECTORY_TABLE = "DIRECTORY_TABLE"
DIRECTORY_WRITE_REGION = "DIRECTORY_WRITE_REGION"  # the directory's primary: every claim is written there
DIRECTORY_READ_REGION = "DIRECTORY_READ_REGION"  # the nearest copy of the directory, for reads
HMAC_KEYS = "HMAC_KEYS"  # every active key version, current first: "2=alias/...,1=alias/..."
HMAC_KEY_REGION = "HMAC_KEY_REGION"  # where user keys are computed: always the function's own region
PENDING_CLAIM_SECONDS = "PENDING_CLAIM_SECONDS"
DATA_TABLE = "DATA_TABLE"
USER_POOL_ID = "USER_POOL_ID"
USER_POOL_CLIENT_ID = "USER_POOL_CLIENT_ID"
FEATURE_FLAGS = "FEATURE_FLAGS"  # the region's flags as deployed (JSON): what GET /config serves without AppConfig
APPCONFIG_APPLICATION = "APPCONFIG_APPLICATION"  # with AppConfig (AWS): where the API reads the flags at run time
APPCONFIG_ENVIRONMENT = "APPCONFIG_ENVIRONMENT"
APPCONFIG_PROFILE = "APPCONFIG_PROFILE"

DIRECTORY_REGIONS = (DIRECTORY_WRITE_REGION, DIRECTORY_READ_REGION)

# The pre-sign-up trigger's refusal of an address another region has claimed: `residency verify --users` counts a
# refused sign-up as proof only with this message (any other refusal, "temporarily unavailable" among them,
# proves nothing about the claim).
SIGN_UP_CLAIMED_ELSEWHERE = "This account cannot be registered here."

# The throwaway addresses `residency verify --users` signs up: `<prefix><16 hex>@<domain>`. RFC 2606's `.invalid`
# never resolves, so no mail reaches anyone and no account under one can be confirmed; the claim reconciler
# releases their pending claims when verify asks (handlers/claim_reconciler.py).
THROWAWAY_ADDRESS_PREFIX = "residency-verify-"
THROWAWAY_ADDRESS_DOMAIN = "verify.invalid"
