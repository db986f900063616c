// Catalog routes: browse, item, search, seller, and sellers' new listings and edits. Reads are
// answered from cached, pre-serialised JSON.
import { ROUTES } from '@marketbench/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { decodeCursor } from '../../domain/CatalogService.ts';
import type { Condition, ListingPatch, ListingQuery, ListingSort, NewListing } from '../../domain/model.ts';
import type { MarketServices } from '../MarketServices.ts';
import { sendProblem } from '../problems.ts';
import {
  CREATE_LISTING,
  GET_LISTING,
  GET_SELLER,
  LIST_LISTINGS,
  PATCH_LISTING,
  SEARCH,
} from '../schemas/catalogSchemas.ts';

interface BrowseQuery {
  category?: string;
  brand?: string;
  size?: string;
  condition?: Condition;
  sellerId?: number;
  minPriceCents?: number;
  maxPriceCents?: number;
  sort: ListingSort;
  cursor?: string;
  limit: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export const catalogRoutes: FastifyPluginAsync<{ services: MarketServices }> = async (app, { services }) => {
  const { catalog, traceIdOf } = services;

  app.get<{ Querystring: BrowseQuery }>(
    ROUTES.listings,
    { schema: LIST_LISTINGS },
    async (request, reply) => {
      const { cursor, ...filters } = request.query;
      let after: ListingQuery['after'];
      if (cursor !== undefined) {
        after = decodeCursor(cursor);
        if (!after) {
          return sendProblem(reply, 'validation-failed', traceIdOf(request), {
            field: 'cursor',
            errors: [{ field: 'cursor', in: 'querystring', message: 'is not a cursor this service issued' }],
          });
        }
      }
      const body = await catalog.browseJson({ ...filters, after });
      return reply.type(JSON_TYPE).send(body);
    },
  );

  app.get<{ Params: { id: number } }>(ROUTES.listing, { schema: GET_LISTING }, async (request, reply) => {
    const body = await catalog.listingJson(request.params.id);
    if (body === undefined)
      return sendProblem(reply, 'listing-not-found', traceIdOf(request), { field: 'id' });
    return reply.type(JSON_TYPE).send(body);
  });

  app.get<{ Querystring: { q: string; limit: number } }>(
    ROUTES.search,
    { schema: SEARCH },
    async (request, reply) => {
      const body = await catalog.searchJson(request.query.q, request.query.limit);
      return reply.type(JSON_TYPE).send(body);
    },
  );

  app.post<{ Body: NewListing }>(ROUTES.listings, { schema: CREATE_LISTING }, async (request, reply) => {
    const seller = await services.stores.listings.getSeller(request.body.sellerId);
    if (!seller) return sendProblem(reply, 'seller-not-found', traceIdOf(request), { field: 'sellerId' });
    const listing = await catalog.createListing(request.body, Date.now());
    return reply.code(201).header('location', `/listings/${listing.id}`).send(listing);
  });

  app.patch<{ Params: { id: number }; Body: ListingPatch }>(
    ROUTES.listing,
    { schema: PATCH_LISTING },
    async (request, reply) => {
      const listing = await catalog.updateListing(request.params.id, request.body, Date.now());
      if (!listing) return sendProblem(reply, 'listing-not-found', traceIdOf(request), { field: 'id' });
      return listing;
    },
  );

  app.get<{ Params: { id: number } }>(ROUTES.seller, { schema: GET_SELLER }, async (request, reply) => {
    const body = await catalog.sellerJson(request.params.id);
    if (body === undefined)
      return sendProblem(reply, 'seller-not-found', traceIdOf(request), { field: 'id' });
    return reply.type(JSON_TYPE).send(body);
  });
};
