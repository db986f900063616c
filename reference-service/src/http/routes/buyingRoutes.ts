// Buying routes: carts, the idempotent checkout, orders and cancellation. The card is tokenized
// here, at the edge: below this file nothing sees a PAN.
import { ROUTES } from '@marketbench/contracts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { UseCaseResult } from '../../domain/CheckoutService.ts';
import { type CardInput, isCardProblem } from '../../payments/cardVault.ts';
import type { MarketServices } from '../MarketServices.ts';
import { type ProblemSlug, sendProblem } from '../problems.ts';
import {
  ADD_CART_ITEM,
  CANCEL_ORDER,
  CHECKOUT,
  CREATE_CART,
  GET_CART,
  GET_ORDER,
} from '../schemas/buyingSchemas.ts';

export const REPLAY_HEADER = 'idempotent-replayed';

export const buyingRoutes: FastifyPluginAsync<{ services: MarketServices }> = async (app, { services }) => {
  const { stores, checkout, vault, traceIdOf } = services;

  const answer = (request: FastifyRequest, reply: FastifyReply, result: UseCaseResult) => {
    if (result.replayed) reply.header(REPLAY_HEADER, 'true');
    if (result.headers) reply.headers(result.headers);
    if (result.problem)
      return sendProblem(reply, result.problem as ProblemSlug, traceIdOf(request), result.body);
    return reply.code(result.status).send(result.body);
  };

  app.post<{ Body: { buyerId: string; currency: string } }>(
    ROUTES.carts,
    { schema: CREATE_CART },
    async (request, reply) => {
      const cart = await stores.carts.createCart(request.body.buyerId, request.body.currency, Date.now());
      return reply.code(201).header('location', `/carts/${cart.id}`).send(cart);
    },
  );

  app.post<{ Params: { id: string }; Body: { listingId: number; quantity: number } }>(
    ROUTES.cartItems,
    { schema: ADD_CART_ITEM },
    async (request, reply) => {
      const r = await stores.carts.addItem(
        request.params.id,
        request.body.listingId,
        request.body.quantity,
        Date.now(),
      );
      if (r.ok) return r.cart;
      const traceId = traceIdOf(request);
      if (r.reason === 'cart_not_found')
        return sendProblem(reply, 'cart-not-found', traceId, { field: 'id' });
      if (r.reason === 'listing_not_found')
        return sendProblem(reply, 'listing-not-found', traceId, { field: 'listingId' });
      return sendProblem(reply, 'currency-mismatch', traceId, { field: 'listingId' });
    },
  );

  app.get<{ Params: { id: string } }>(ROUTES.cart, { schema: GET_CART }, async (request, reply) => {
    const cart = await stores.carts.getCart(request.params.id);
    if (!cart) return sendProblem(reply, 'cart-not-found', traceIdOf(request), { field: 'id' });
    return cart;
  });

  app.post<{ Body: { cartId: string; payment: { card: CardInput } } }>(
    ROUTES.checkout,
    { schema: CHECKOUT },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string') {
        return sendProblem(reply, 'idempotency-key-missing', traceIdOf(request), {
          field: 'Idempotency-Key',
        });
      }
      const card = vault.tokenize(request.body.payment.card);
      if (isCardProblem(card)) {
        const field = `payment.card.${card.field}`;
        return sendProblem(reply, 'validation-failed', traceIdOf(request), {
          field,
          errors: [{ field, in: 'body', message: card.message }],
        });
      }
      const result = await checkout.checkout({ idempotencyKey: key, cartId: request.body.cartId, card });
      return answer(request, reply, result);
    },
  );

  app.get<{ Params: { id: string } }>(ROUTES.order, { schema: GET_ORDER }, async (request, reply) => {
    const order = await stores.orders.getOrder(request.params.id);
    if (!order) return sendProblem(reply, 'order-not-found', traceIdOf(request), { field: 'id' });
    return order;
  });

  app.post<{ Params: { id: string } }>(ROUTES.orderCancel, { schema: CANCEL_ORDER }, async (request, reply) =>
    answer(request, reply, await checkout.cancel(request.params.id)),
  );
};
