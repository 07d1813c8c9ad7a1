import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

/** A customer reference in a path: 1..64 characters, as `POST /complaints` accepts them. */
@Injectable()
export class CustomerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || value.length < 1 || value.length > 64) {
      throw new BadRequestException('A customer id is 1 to 64 characters');
    }
    return value;
  }
}
