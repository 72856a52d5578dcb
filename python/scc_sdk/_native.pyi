"""The native core (Rust, PyO3): the SDK client, the XDR client and the emulator."""

from os import PathLike
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union, final

__all__ = ["NativeClient", "NativeEmulator", "NativePlan", "NativeXdrClient", "__version__", "build_products", "bulk_summary", "closed_sets", "defaults", "error_for", "operations", "plan", "plan_changes", "set_debug_logging", "shutdown_runtime", "xdr_rules"]

__version__: str

# (status, the body decoded, or its bytes where the native parser left it to `json`, next cursor)
_Reply = Tuple[int, Any, Optional[str]]

@final
class NativeClient:
    def __new__(
        cls,
        access_token: Optional[str],
        base_url: str,
        base_path: str,
        timeout: Optional[float],
        *,
        connect_timeout: Optional[float] = None,
        deadline: Optional[float] = None,
        ca_bundle: Union[str, "PathLike[str]", None] = None,
        max_attempts: int = ...,
        initial_backoff: float = ...,
        max_backoff: float = ...,
        rate_limit: Optional[float] = None,
        rate_burst: Optional[int] = None,
        credentials: Optional[Dict[str, str]] = None,
        token_store: Union[str, "PathLike[str]", Callable[[Dict[str, Any]], None], None] = None,
        max_response_bytes: int = ...,
        insecure_http: bool = False,
    ) -> "NativeClient": ...
    def call(self, operation: str, args: Dict[str, Any]) -> _Reply: ...
    def call_async(self, operation: str, args: Dict[str, Any]) -> Awaitable[Union[_Reply, BaseException]]: ...
    @property
    def lanes_ready(self) -> int: ...
    @property
    def refresh_count(self) -> int: ...
    @property
    def api_root(self) -> str: ...
    def current_credentials(self) -> Optional[Dict[str, Any]]: ...

@final
class NativeXdrClient:
    def __new__(
        cls,
        *,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        token: Optional[str] = None,
        region: str = "us",
        base_url: Optional[str] = None,
        timeout: float = 30.0,
    ) -> "NativeXdrClient": ...
    def call(self, operation: str, args: Dict[str, Any]) -> _Reply: ...
    def call_async(self, operation: str, args: Dict[str, Any]) -> Awaitable[Union[_Reply, BaseException]]: ...

@final
class NativeEmulator:
    def __new__(
        cls,
        *,
        seed: int = 42,
        token_ttl: Optional[int] = None,
        fault_rate: float = 0.0,
        latency_ms: int = 0,
        rate_limit: Optional[int] = None,
        claim_codes: Optional[int] = None,
    ) -> "NativeEmulator": ...
    def ready(self) -> bytes: ...
    def state(self) -> bytes: ...
    def stop(self) -> None: ...

@final
class NativePlan:
    @staticmethod
    def load(path: Union[str, "PathLike[str]"], client: NativeClient) -> "NativePlan": ...
    def document(self) -> str: ...
    def save(self, path: Union[str, "PathLike[str]"]) -> None: ...
    def apply(self, journal: Optional[Union[str, "PathLike[str]"]] = None) -> str: ...

def plan_changes(
    client: NativeClient,
    path: Optional[Union[str, "PathLike[str]"]] = None,
    document: Optional[str] = None,
    orgs: List[str] = ...,
) -> NativePlan: ...
def build_products(claim_info: bytes, preferred_region: str) -> bytes: ...
def plan(operation: str, args: Dict[str, Any]) -> bytes: ...
def closed_sets() -> Dict[str, List[str]]: ...
def operations() -> List[Dict[str, Any]]: ...
def error_for(status: int, path: str, body: bytes, headers: List[Tuple[str, str]]) -> BaseException: ...
def defaults() -> Dict[str, Any]: ...
def bulk_summary(body: bytes) -> Tuple[int, int, int, bool]: ...
def xdr_rules(whoami: bytes) -> Dict[str, Any]: ...
def set_debug_logging(enabled: bool) -> None: ...
def shutdown_runtime() -> None: ...
