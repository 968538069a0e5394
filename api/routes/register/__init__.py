"""The provincial register of the catalogue, `/catalog/register.{csv,xlsx,json}` (`feed`): a
package of its own, since `api/routes` holds as many modules as fit on a screen."""

from api.routes.register.feed import RegisterBodies, router

__all__ = ["RegisterBodies", "router"]
