import { DomainError } from '@aftersales/domain';

export class ReviewGradeMissing extends DomainError {
  constructor() {
    super(
      'REVIEW.GRADE_MISSING',
      'invalid',
      'A review needs a rating (1–5) or a sentiment (positive, medium, negative)',
      'Medium and negative reviews are followed up (seed 001 §8): a review must say how the customer judged the order',
    );
  }
}

export class ReviewRatingOutOfRange extends DomainError {
  constructor(rating: number) {
    super(
      'REVIEW.RATING_OUT_OF_RANGE',
      'invalid',
      `Rating ${rating} is not a whole number of stars from 1 to 5`,
      'Reviews are rated 1 to 5 stars',
    );
  }
}

export class ReviewAlreadyRegistered extends DomainError {
  constructor(shopReviewId: string) {
    super(
      'REVIEW.ALREADY_REGISTERED',
      'conflict',
      `Shop review ${shopReviewId} is already registered with other content`,
      'A shop review is registered once; sending it again unchanged returns it',
    );
  }
}

export class ReviewNotFound extends DomainError {
  constructor(reviewId: string) {
    super(
      'REVIEW.NOT_FOUND',
      'not_found',
      `No review ${reviewId} in your tenant`,
      'A review is flagged where it was registered: in its tenant',
    );
  }
}

export class MaliciousFlagIncomplete extends DomainError {
  constructor(missing: 'reason' | 'evidence') {
    super(
      'REVIEW.FLAG_INCOMPLETE',
      'invalid',
      missing === 'reason'
        ? 'A malicious flag needs the reason'
        : 'A malicious flag needs at least one piece of evidence',
      'A malicious review is flagged with the evidence collected for the appeal (seed 001 §8)',
    );
  }
}
